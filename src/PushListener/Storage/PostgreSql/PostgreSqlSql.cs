using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace PushListener.Storage.PostgreSql;

/// <summary>Small helpers the PostgreSQL stores share: positional parameters, the lock keys, dedupe hashes, UTC times.</summary>
internal static class PostgreSqlSql
{
    /// <summary>
    /// Takes the transaction-scoped advisory locks of the subscriptions in <c>$1</c> (text[]), in key order so that two
    /// transactions never wait for each other in a cycle. Every write of a subscription's registry row takes its lock
    /// first, so an append, a mark for unsubscribe and the watchdog never interleave, on any instance.
    /// </summary>
    public const string LockSubscriptions = """
        SELECT count(pg_advisory_xact_lock(k))
        FROM (SELECT DISTINCT hashtextextended('pushlistener:subscription:' || current_schema() || ':' || s, 0) AS k FROM unnest($1::text[]) AS s ORDER BY 1) AS keys
        """;

    // Pass a lone array argument as (object)array: otherwise C# takes the array itself for the params array.
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    public static NpgsqlBatchCommand BatchCommand(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    /// <summary>The indexed form of a dedupe key (a 32-byte hash instead of the long key).</summary>
    public static byte[] Hash(string dedupeKey) => SHA256.HashData(Encoding.UTF8.GetBytes(dedupeKey));

    /// <summary>timestamptz takes UTC only.</summary>
    public static DateTimeOffset Utc(DateTimeOffset value) => value.ToUniversalTime();

    public static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, sql, transaction, values);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes those of <paramref name="bodyIds"/> that no pending entry or dead letter refers to any more (a done entry
    /// never reads its body again, and retention deletes all of a push's done entries together: migration 0004).
    /// </summary>
    public static async Task DeleteUnusedBodiesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyCollection<long> bodyIds, CancellationToken cancellationToken)
    {
        if (bodyIds.Count == 0)
        {
            return;
        }

        await ExecuteAsync(
            connection,
            transaction,
            "DELETE FROM bodies b WHERE b.id = ANY($1) AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.body_id = b.id AND e.state <> 1)",
            cancellationToken,
            (object)bodyIds.Distinct().ToArray()).ConfigureAwait(false);
    }
}
