using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace PushListener.Bench.DurableFloor;

/// <summary>
/// One INSERT per request into one table, each batch one transaction, WAL with <c>synchronous=FULL</c>: the listener
/// inbox's durability contract (a commit is on disk before the answer) and nothing else. With <c>indexed</c>, each row
/// also carries a 32-byte hash of its body under a unique index (dedupe) and a random 64-bit key under a second index
/// (where a per-subscription order index lands: a leaf anywhere in the tree), the least a deduping inbox with
/// per-subscription order keeps.
/// </summary>
internal sealed class SqliteCommitter : IBatchCommitter
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _body;
    private readonly SqliteParameter? _hash;
    private readonly SqliteParameter? _key;
    private readonly byte[] _hashBuffer = new byte[32];

    public SqliteCommitter(string path, bool indexed)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        // The listener's pragmas (Storage/Sqlite/SqliteDatabase.cs), less those of features the floor lacks. The WAL is
        // checkpointed by SQLite's own automatic checkpoint on this connection (the default, 1,000 pages).
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-16384;");
        Execute(indexed
            ? "CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, hash BLOB NOT NULL, key INTEGER NOT NULL, body BLOB NOT NULL);" +
              "CREATE UNIQUE INDEX IF NOT EXISTS floor_hash ON floor (hash);" +
              "CREATE INDEX IF NOT EXISTS floor_key ON floor (key, id);"
            : "CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, body BLOB NOT NULL);");

        _insert = _connection.CreateCommand();
        _insert.CommandText = indexed
            ? "INSERT INTO floor (hash, key, body) VALUES ($hash, $key, $body) ON CONFLICT (hash) DO NOTHING"
            : "INSERT INTO floor (body) VALUES ($body)";
        _body = _insert.Parameters.Add("$body", SqliteType.Blob);
        if (indexed)
        {
            _hash = _insert.Parameters.Add("$hash", SqliteType.Blob);
            _key = _insert.Parameters.Add("$key", SqliteType.Integer);
        }

        _insert.Prepare();
    }

    public void Commit(List<PendingWrite> batch)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        _insert.Transaction = transaction;
        foreach (var write in batch)
        {
            _body.Value = write.Body;
            if (_hash is not null)
            {
                SHA256.HashData(write.Body, _hashBuffer);
                _hash.Value = _hashBuffer;
                _key!.Value = Random.Shared.NextInt64();
            }

            _insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
    }
}
