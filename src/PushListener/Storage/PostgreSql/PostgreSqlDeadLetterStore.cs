using Npgsql;
using PushListener.Inbox;

namespace PushListener.Storage.PostgreSql;

/// <summary>Dead letters in the shared database: entries in state 2, replayed in place (same id) or purged.</summary>
internal sealed class PostgreSqlDeadLetterStore(PostgreSqlDatabase database, PostgreSqlClaimSignal claimable) : IDeadLetterStore
{
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(
            connection,
            """
            SELECT e.id, e.subscription_id, e.received_at, e.attempts, e.last_error, e.finished_at,
                   array(SELECT d.handler FROM deliveries d WHERE d.entry_id = e.id AND d.status = 1 ORDER BY d.handler)
            FROM entries e WHERE e.state = 2 ORDER BY e.id LIMIT $1
            """,
            null,
            max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            letters.Add(new DeadLetter(
                reader.GetInt64(0),
                PostgreSqlSql.NullableString(reader, 1),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetInt32(3),
                PostgreSqlSql.NullableString(reader, 4),
                PostgreSqlSql.NullableTime(reader, 5),
                reader.GetFieldValue<string[]>(6)));
        }

        return letters;
    }

    public async Task<int> ReplayAsync(long? entryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);

        // In place: the entry keeps its id (the delivery id handlers dedupe on); handlers that succeeded stay recorded
        // as such and are not run again; the failed ones start over.
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
            """
            WITH replayed AS (
                UPDATE entries SET state = 0, attempts = 0, last_error = NULL, finished_at = NULL, lease_owner = NULL, lease_expires_at = NULL
                WHERE state = 2 AND ($1::bigint IS NULL OR id = $1)
                RETURNING id
            ), cleared AS (
                DELETE FROM deliveries WHERE status = 1 AND entry_id IN (SELECT id FROM replayed)
            ), reset AS (
                UPDATE deliveries SET attempts = 0 WHERE status = 0 AND entry_id IN (SELECT id FROM replayed)
            )
            SELECT count(*) FROM replayed
            """,
            entryId));
        batch.BatchCommands.Add(PostgreSqlNotifier.Notify(PostgreSqlChannels.Entries, null));
        var replayed = Convert.ToInt32(await batch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        claimable.Set();
        return replayed;
    }

    /// <summary>The most dead letters one purge transaction deletes (<see cref="PostgreSqlSql.DeleteBatchSize"/>; tests lower it).</summary>
    internal int DeleteBatchSize { get; set; } = PostgreSqlSql.DeleteBatchSize;

    public Task<int> PurgeAsync(long? entryId, CancellationToken cancellationToken) =>
        PostgreSqlSql.DeleteEntriesInBatchesAsync(database, "state = 2 AND ($1::bigint IS NULL OR id = $1)", [entryId], DeleteBatchSize, cancellationToken);
}
