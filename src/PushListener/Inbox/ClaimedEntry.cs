namespace PushListener.Inbox;

/// <summary>An entry handed to a dispatcher by <see cref="IEntryLog.ClaimAsync"/>.</summary>
/// <param name="Id">The entry's id: stable for its whole life, replays included (the delivery id handlers see).</param>
/// <param name="Kind">Notification or lifecycle event.</param>
/// <param name="DedupeKey">The entry's dedupe key.</param>
/// <param name="SubscriptionId">Its subscription, when known.</param>
/// <param name="MessageIndex">For a notification, the message's position in <see cref="Body"/>.</param>
/// <param name="ReceivedAt">When the push arrived.</param>
/// <param name="RequestServerVersion">The push's <c>RequestServerVersion</c>.</param>
/// <param name="Registration">The registration the subscription belongs to, when known.</param>
/// <param name="TraceParent">The W3C <c>traceparent</c> stored with the push.</param>
/// <param name="BodyId">For a notification, the stored body's id (entries of one push share it); null for a lifecycle event.</param>
/// <param name="Body">For a notification, the push's SOAP body (one instance per body in a claim); for a lifecycle event, its JSON.</param>
/// <param name="Attempts">Attempts made so far.</param>
/// <param name="SucceededHandlers">Handlers that succeeded on an earlier attempt (not run again).</param>
/// <param name="LeaseExpiresAt">When the claim's lease runs out unless renewed.</param>
internal sealed record ClaimedEntry(
    long Id,
    EntryKind Kind,
    string DedupeKey,
    string? SubscriptionId,
    int MessageIndex,
    DateTimeOffset ReceivedAt,
    string? RequestServerVersion,
    string? Registration,
    string? TraceParent,
    long? BodyId,
    ReadOnlyMemory<byte> Body,
    int Attempts,
    IReadOnlySet<string> SucceededHandlers,
    DateTimeOffset LeaseExpiresAt);
