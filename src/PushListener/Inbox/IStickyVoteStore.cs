namespace PushListener.Inbox;

/// <summary>
/// Unsubscribe votes that came after their push was answered. The subscription's next push is answered Unsubscribe:
/// <see cref="IEntryLog.AppendAsync"/> takes the vote in the same transaction (so with several instances it is answered once).
/// </summary>
internal interface IStickyVoteStore
{
    /// <summary>Remembers a vote for <paramref name="subscriptionId"/> (replacing any earlier one).</summary>
    Task SetAsync(string subscriptionId, string? reason, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the vote for <paramref name="subscriptionId"/>, if any: a request answered Unsubscribe on hearing the vote
    /// (relayed from the instance that stored it), so the next push need not repeat it.
    /// </summary>
    Task WithdrawAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>The votes waiting, by subscription id.</summary>
    Task<IReadOnlyDictionary<string, string?>> ListAsync(CancellationToken cancellationToken);
}
