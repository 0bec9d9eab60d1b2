using System.Globalization;
using PushListener.Coordination;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Votes between instances over <see cref="PostgreSqlChannels.Votes"/>. The payload is
/// <c>{vote}:{length of the subscription id}:{subscription id}{dedupe key}</c>: the waiting request's instance knows the
/// dedupe key, and needs the subscription to withdraw the sticky vote an Unsubscribe it heard left behind. A vote that
/// finds no waiter anywhere is dropped here; an Unsubscribe vote was made sticky before it was sent.
/// </summary>
internal sealed partial class PostgreSqlVoteRelay(PostgreSqlNotifier notifier, ILogger<PostgreSqlVoteRelay> logger) : IVoteRelay, IDisposable
{
    private IDisposable? _subscription;

    public void Publish(string dedupeKey, string? subscriptionId, SubscriptionStatus vote) => _ = PublishAsync(Format(dedupeKey, subscriptionId, vote));

    public void Subscribe(Action<string, string?, SubscriptionStatus> receive)
    {
        _subscription = notifier.Subscribe(PostgreSqlChannels.Votes, payload =>
        {
            // Null after a reconnection: votes missed meanwhile are not replayed; their requests answer at the budget.
            if (Parse(payload) is var (dedupeKey, subscriptionId, vote))
            {
                receive(dedupeKey, subscriptionId, vote);
            }
        });
    }

    public void Dispose() => _subscription?.Dispose();

    internal static string Format(string dedupeKey, string? subscriptionId, SubscriptionStatus vote) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)vote}:{subscriptionId?.Length ?? 0}:{subscriptionId}{dedupeKey}");

    internal static (string DedupeKey, string? SubscriptionId, SubscriptionStatus Vote)? Parse(string? payload)
    {
        if (payload is null)
        {
            return null;
        }

        var span = payload.AsSpan();
        var first = span.IndexOf(':');
        if (first < 1 || !int.TryParse(span[..first], NumberStyles.None, CultureInfo.InvariantCulture, out var vote) || !Enum.IsDefined((SubscriptionStatus)vote))
        {
            return null;
        }

        var rest = span[(first + 1)..];
        var second = rest.IndexOf(':');
        if (second < 1 || !int.TryParse(rest[..second], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > rest.Length - second - 1)
        {
            return null;
        }

        var start = first + 1 + second + 1;
        var dedupeKey = payload[(start + length)..];
        return dedupeKey.Length == 0 ? null : (dedupeKey, length == 0 ? null : payload.Substring(start, length), (SubscriptionStatus)vote);
    }

    private async Task PublishAsync(string payload)
    {
        try
        {
            await notifier.PublishAsync(PostgreSqlChannels.Votes, payload, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            PublishFailed(logger, ex);
        }
    }

    [LoggerMessage(914, LogLevel.Debug, "Could not send a vote to the other instances; a request waiting there answers at the end of its reply budget")]
    private static partial void PublishFailed(ILogger logger, Exception exception);
}
