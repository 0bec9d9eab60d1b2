namespace PushListener.Inbox;

/// <summary>One push to store: its body (stored once) and the messages in it that are to become entries.</summary>
/// <param name="Body">The SOAP body as received; valid until the append completes.</param>
/// <param name="ReceivedAt">When the push arrived.</param>
/// <param name="RequestServerVersion">The push's <c>RequestServerVersion</c>.</param>
/// <param name="TraceParent">The W3C <c>traceparent</c> of the request that carried the push, handed back with each claimed entry.</param>
/// <param name="Messages">The messages to store, in the order of the push.</param>
internal sealed record PushAppend(
    ReadOnlyMemory<byte> Body,
    DateTimeOffset ReceivedAt,
    string? RequestServerVersion,
    string? TraceParent,
    IReadOnlyList<MessageAppend> Messages);

/// <summary>One message of a push to store.</summary>
/// <param name="DedupeKey">What makes two messages the same notification (<see cref="DedupeKey"/>).</param>
/// <param name="SubscriptionId">The subscription, when the message names one.</param>
/// <param name="MessageIndex">The message's position in the push's body.</param>
/// <param name="Registry">What the message tells the registry about its subscription; null stores the entry only.</param>
internal sealed record MessageAppend(string DedupeKey, string? SubscriptionId, int MessageIndex, Subscriptions.RegistryUpdate? Registry);
