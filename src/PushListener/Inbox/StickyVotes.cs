using System.Collections.Concurrent;

namespace PushListener.Inbox;

/// <summary>
/// Unsubscribe votes that arrived after their push was answered: the subscription's next push is answered Unsubscribe.
/// Kept in memory for the hot path and in the store so a restart keeps them.
/// </summary>
internal sealed partial class StickyVotes(IInboxStore store, ILogger<StickyVotes> logger)
{
    private readonly ConcurrentDictionary<string, string?> _votes = new(StringComparer.Ordinal);

    public int Count => _votes.Count;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var (subscription, reason) in await store.ReadStickyVotesAsync(cancellationToken).ConfigureAwait(false))
        {
            _votes[subscription] = reason;
        }
    }

    public async Task SetAsync(string subscriptionId, string? reason, CancellationToken cancellationToken)
    {
        _votes[subscriptionId] = reason;
        await store.SetStickyVoteAsync(subscriptionId, reason, cancellationToken).ConfigureAwait(false);
        VoteDeferred(logger, subscriptionId, reason);
    }

    /// <summary>Takes the vote for <paramref name="subscriptionId"/>, if any; it is answered once.</summary>
    public async ValueTask<bool> TryTakeAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        if (_votes.IsEmpty || !_votes.TryRemove(subscriptionId, out _))
        {
            return false;
        }

        await store.ClearStickyVoteAsync(subscriptionId, cancellationToken).ConfigureAwait(false);
        return true;
    }

    [LoggerMessage(300, LogLevel.Information, "Unsubscribe vote for subscription {SubscriptionId} came after the reply budget; its next push will be answered Unsubscribe ({Reason})")]
    private static partial void VoteDeferred(ILogger logger, string subscriptionId, string? reason);
}
