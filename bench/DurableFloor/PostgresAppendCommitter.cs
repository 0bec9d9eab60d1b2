using Npgsql;
using NpgsqlTypes;

namespace PushListener.Bench.DurableFloor;

/// <summary>
/// The least an issue-13 append writes: each batch's entries, idempotent on a unique dedupe hash, under a
/// per-subscription order index on the pending ones, and the registry rows of the subscriptions whose entries went in,
/// in one statement (one round trip, one transaction, <c>synchronous_commit</c> on). The inserted ids go to the
/// dispatcher, if there is one. What the listener adds on top (parse, its checks, a bodies table, reading the dedupe
/// keys and registry rows first, lifecycle entries) is left out: this is a lower bound.
/// </summary>
internal sealed class PostgresAppendCommitter : IBatchCommitter
{
    // Fillfactor 50 as the listener's tables, room for the dispatcher's and the registry's in-place (HOT) updates.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS entries (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, subscription_id text, dedupe_hash bytea NOT NULL,
            body bytea NOT NULL, received_at timestamptz NOT NULL, state smallint NOT NULL DEFAULT 0,
            lease_owner text, lease_expires_at timestamptz) WITH (fillfactor = 50);
        CREATE UNIQUE INDEX IF NOT EXISTS entries_dedupe ON entries (dedupe_hash);
        CREATE INDEX IF NOT EXISTS entries_pending ON entries (subscription_id, id) WHERE state = 0;
        CREATE TABLE IF NOT EXISTS subscriptions (
            subscription_id text PRIMARY KEY, last_seen timestamptz, last_watermark text, notifications bigint)
            WITH (fillfactor = 50);
        """;

    // The registry counts the entries actually inserted (a duplicate adds nothing), joined to the group's last
    // watermark per subscription, aggregated in C# so that no row is upserted twice in the statement.
    private const string Append = """
        WITH inserted AS (
            INSERT INTO entries (subscription_id, dedupe_hash, body, received_at)
            SELECT s, h, b, now() FROM unnest($1::text[], $2::bytea[], $3::bytea[]) AS i (s, h, b)
            ON CONFLICT (dedupe_hash) DO NOTHING
            RETURNING id, subscription_id
        ), registry AS (
            INSERT INTO subscriptions AS r (subscription_id, last_seen, last_watermark, notifications)
            SELECT g.s, now(), g.w, c.n
            FROM unnest($4::text[], $5::text[]) AS g (s, w)
            JOIN (SELECT subscription_id, count(*) AS n FROM inserted GROUP BY subscription_id) AS c ON c.subscription_id = g.s
            ON CONFLICT (subscription_id) DO UPDATE SET last_seen = excluded.last_seen,
                last_watermark = excluded.last_watermark, notifications = r.notifications + excluded.notifications
        )
        SELECT id FROM inserted
        """;

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _append;
    private readonly NpgsqlParameter<string?[]> _subscriptions = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
    private readonly NpgsqlParameter<byte[][]> _hashes = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea };
    private readonly NpgsqlParameter<byte[][]> _bodies = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea };
    private readonly NpgsqlParameter<string[]> _registrySubscriptions = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
    private readonly NpgsqlParameter<string[]> _registryWatermarks = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
    private readonly Dictionary<string, string> _lastWatermarks = new(StringComparer.Ordinal);
    private readonly List<long> _inserted = [];
    private readonly PostgresDispatcher? _dispatcher;

    public PostgresAppendCommitter(NpgsqlDataSource dataSource, PostgresDispatcher? dispatcher)
    {
        _dispatcher = dispatcher;
        _connection = dataSource.OpenConnection();
        using (var durable = new NpgsqlCommand("SET synchronous_commit = on", _connection))
        {
            durable.ExecuteNonQuery();
        }

        _append = new NpgsqlCommand(Append, _connection);
        _append.Parameters.Add(_subscriptions);
        _append.Parameters.Add(_hashes);
        _append.Parameters.Add(_bodies);
        _append.Parameters.Add(_registrySubscriptions);
        _append.Parameters.Add(_registryWatermarks);
        _append.Prepare();
    }

    /// <summary>Creates the tables and indexes if missing: once, before the writers and the dispatcher open.</summary>
    public static void CreateSchema(NpgsqlDataSource dataSource)
    {
        using var create = dataSource.CreateCommand(Schema);
        create.ExecuteNonQuery();
    }

    public void Commit(List<PendingWrite> batch)
    {
        var subscriptions = new string?[batch.Count];
        var hashes = new byte[batch.Count][];
        var bodies = new byte[batch.Count][];
        _lastWatermarks.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            var key = PushKey.From(batch[i].Body);
            hashes[i] = key.DedupeHash;
            bodies[i] = batch[i].Body;
            if (key.SubscriptionId.Length > 0)
            {
                subscriptions[i] = key.SubscriptionId;
                _lastWatermarks[key.SubscriptionId] = key.Watermark;
            }
        }

        _subscriptions.TypedValue = subscriptions;
        _hashes.TypedValue = hashes;
        _bodies.TypedValue = bodies;
        _registrySubscriptions.TypedValue = [.. _lastWatermarks.Keys];
        _registryWatermarks.TypedValue = [.. _lastWatermarks.Values];
        _inserted.Clear();
        using (var reader = _append.ExecuteReader())
        {
            while (reader.Read())
            {
                _inserted.Add(reader.GetInt64(0));
            }
        }

        _dispatcher?.Committed([.. _inserted]);
    }

    public void Dispose()
    {
        _append.Dispose();
        _connection.Dispose();
    }
}
