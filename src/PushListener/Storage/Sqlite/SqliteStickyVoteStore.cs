using PushListener.Inbox;

namespace PushListener.Storage.Sqlite;

/// <summary>Sticky votes in SQLite (<c>sticky_votes</c>); <see cref="SqliteEntryLog"/> takes them in the append.</summary>
internal sealed class SqliteStickyVoteStore(SqliteDatabase database) : IStickyVoteStore
{
    public Task SetAsync(string subscriptionId, string? reason, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            database.StickyVotesMayExist = true;
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO sticky_votes (subscription_id, reason, created_at) VALUES ($sub, $reason, $now) ON CONFLICT (subscription_id) DO UPDATE SET reason = $reason";
            command.Parameters.AddWithValue("$sub", subscriptionId);
            command.Parameters.AddWithValue("$reason", SqliteDatabase.Nullable(reason));
            command.Parameters.AddWithValue("$now", database.Time.GetUtcNow().ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public Task WithdrawAsync(string subscriptionId, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM sticky_votes WHERE subscription_id = $sub";
            command.Parameters.AddWithValue("$sub", subscriptionId);
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public async Task<IReadOnlyDictionary<string, string?>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT subscription_id, reason FROM sticky_votes";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var votes = new Dictionary<string, string?>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            votes[reader.GetString(0)] = SqliteDatabase.StringOrNull(reader, 1);
        }

        return votes;
    }
}
