using PushListener.Inbox;

namespace PushListener.Storage.PostgreSql;

/// <summary>Sticky Unsubscribe votes in the shared database; the entry log's append takes them (<see cref="PostgreSqlPushAppender"/>).</summary>
internal sealed class PostgreSqlStickyVoteStore(PostgreSqlDatabase database, TimeProvider time) : IStickyVoteStore
{
    public async Task SetAsync(string subscriptionId, string? reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await PostgreSqlSql.ExecuteAsync(
            connection,
            null,
            "INSERT INTO sticky_votes (subscription_id, reason, created_at) VALUES ($1, $2, $3) ON CONFLICT (subscription_id) DO UPDATE SET reason = EXCLUDED.reason",
            cancellationToken,
            subscriptionId,
            reason,
            PostgreSqlSql.Utc(time.GetUtcNow())).ConfigureAwait(false);
    }

    public async Task WithdrawAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await PostgreSqlSql.ExecuteAsync(connection, null, "DELETE FROM sticky_votes WHERE subscription_id = $1", cancellationToken, subscriptionId).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, string?>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(connection, "SELECT subscription_id, reason FROM sticky_votes", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var votes = new Dictionary<string, string?>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            votes[reader.GetString(0)] = PostgreSqlSql.NullableString(reader, 1);
        }

        return votes;
    }
}
