namespace PushListener.Inbox;

/// <summary>What an append did, per message, in the order of <see cref="PushAppend.Messages"/>.</summary>
internal sealed record PushAppendResult(IReadOnlyList<MessageAppendResult> Messages);

/// <summary>What an append did with one message.</summary>
/// <param name="EntryId">The entry (for a duplicate, the first one).</param>
/// <param name="IsDuplicate">The message was stored before: nothing changed.</param>
/// <param name="State">For a duplicate, where the first entry is in its life; <see cref="EntryState.Pending"/> for a new one.</param>
/// <param name="StoredVote">For a duplicate that is done, the answer its pipeline earned.</param>
/// <param name="Unsubscribe">The subscription is to be answered Unsubscribe: an operator marked it, or a sticky vote was taken.</param>
/// <param name="UnsubscribeReason">Why, when <paramref name="Unsubscribe"/>.</param>
/// <param name="LifecycleEvents">Lifecycle entries the append raised (gap, failed, resumed).</param>
internal readonly record struct MessageAppendResult(
    long EntryId,
    bool IsDuplicate,
    EntryState State,
    SubscriptionStatus? StoredVote,
    bool Unsubscribe,
    string? UnsubscribeReason,
    int LifecycleEvents);
