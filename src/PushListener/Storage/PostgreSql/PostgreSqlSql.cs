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
    /// How many entries one retention or purge transaction deletes at most: one statement over a backlog of millions
    /// would outlast CommandTimeout every round and the table would grow without limit.
    /// </summary>
    public const int DeleteBatchSize = 5000;

    /// <summary>
    /// Deletes the entries matching <paramref name="condition"/> (SQL over <c>entries</c>, parameters <c>$1</c>.. from
    /// <paramref name="values"/>) and then unused bodies, <paramref name="batchSize"/> entries per transaction until a
    /// batch comes back short; returns how many it deleted. Cancellation is honoured between batches (those committed stay deleted).
    /// </summary>
    public static async Task<int> DeleteEntriesInBatchesAsync(PostgreSqlDatabase database, string condition, object?[] values, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        // The condition again outside the subquery: a row that changed meanwhile (a dead letter replayed) is rechecked
        // against it once its lock is free; no ORDER BY, so the scan stops at the limit instead of sorting every match.
        var sql = $"DELETE FROM entries WHERE id IN (SELECT id FROM entries WHERE {condition} LIMIT ${values.Length + 1}) AND {condition} RETURNING body_id";
        object?[] parameters = [.. values, batchSize];
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bodies = new List<long>();
            var deleted = 0;
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                await using (var delete = Command(connection, sql, transaction, parameters))
                {
                    await using var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        deleted++;
                        if (!reader.IsDBNull(0))
                        {
                            bodies.Add(reader.GetInt64(0));
                        }
                    }
                }

                await DeleteUnusedBodiesAsync(connection, transaction, bodies, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            total += deleted;
            if (deleted < batchSize)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// Deletes those of <paramref name="bodyIds"/> that no pending entry or dead letter refers to any more (a done entry
    /// never reads its body again, so a body may go while a push's other done entries wait for retention's next batch: migration 0004).
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
