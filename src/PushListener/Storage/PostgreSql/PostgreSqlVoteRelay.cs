using System.Globalization;
using PushListener.Coordination;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Votes between instances over <see cref="PostgreSqlChannels.Votes"/>: the payload is the vote and the entry's dedupe
/// key, which the waiting request's instance knows. A vote that finds no waiter anywhere is dropped here; the instance
/// that ran the entry has made an Unsubscribe vote sticky.
/// </summary>
internal sealed partial class PostgreSqlVoteRelay(PostgreSqlNotifier notifier, ILogger<PostgreSqlVoteRelay> logger) : IVoteRelay, IDisposable
{
    private IDisposable? _subscription;

    public void Publish(string dedupeKey, SubscriptionStatus vote) => _ = PublishAsync(dedupeKey, vote);

    public void Subscribe(Action<string, SubscriptionStatus> receive)
    {
        _subscription = notifier.Subscribe(PostgreSqlChannels.Votes, payload =>
        {
            // Null after a reconnection: votes missed meanwhile are not replayed; their requests answer at the budget.
            if (payload is { Length: > 2 } && payload[1] == ':' && int.TryParse(payload.AsSpan(0, 1), NumberStyles.None, CultureInfo.InvariantCulture, out var vote))
            {
                receive(payload[2..], (SubscriptionStatus)vote);
            }
        });
    }

    public void Dispose() => _subscription?.Dispose();

    private async Task PublishAsync(string dedupeKey, SubscriptionStatus vote)
    {
        try
        {
            await notifier.PublishAsync(PostgreSqlChannels.Votes, string.Create(CultureInfo.InvariantCulture, $"{(int)vote}:{dedupeKey}"), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            PublishFailed(logger, ex);
        }
    }

    [LoggerMessage(914, LogLevel.Debug, "Could not send a vote to the other instances; a request waiting there answers at the end of its reply budget")]
    private static partial void PublishFailed(ILogger logger, Exception exception);
}
