using Npgsql;
using NpgsqlTypes;

namespace PushListener.Bench.DurableFloor;

/// <summary>
/// Each batch one multi-row INSERT (the bodies as one bytea[] parameter, unnested): one statement outside an explicit
/// transaction, so one round trip whose reply comes after the commit's WAL flush (<c>synchronous_commit</c> on).
/// </summary>
internal sealed class PostgresCommitter : IBatchCommitter
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _insert;
    private readonly NpgsqlParameter<byte[][]> _bodies;

    public PostgresCommitter(NpgsqlDataSource dataSource)
    {
        _connection = dataSource.OpenConnection();
        using (var create = new NpgsqlCommand(
            "SET synchronous_commit = on; CREATE TABLE IF NOT EXISTS floor (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body bytea NOT NULL)",
            _connection))
        {
            create.ExecuteNonQuery();
        }

        _insert = new NpgsqlCommand("INSERT INTO floor (body) SELECT unnest(@bodies)", _connection);
        _bodies = new NpgsqlParameter<byte[][]>("bodies", NpgsqlDbType.Array | NpgsqlDbType.Bytea);
        _insert.Parameters.Add(_bodies);
        _insert.Prepare();
    }

    public void Commit(List<PendingWrite> batch)
    {
        var bodies = new byte[batch.Count][];
        for (var i = 0; i < bodies.Length; i++)
        {
            bodies[i] = batch[i].Body;
        }

        _bodies.TypedValue = bodies;
        _insert.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
    }
}
