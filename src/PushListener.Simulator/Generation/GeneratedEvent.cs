namespace PushListener.Simulator.Generation;

/// <summary>An item or folder id with its change key, as it goes on the wire.</summary>
internal readonly record struct ExchangeObject(string Id, string ChangeKey, bool IsFolder);

/// <summary>
/// One mailbox event before it is written: the watermark and time stamp are added when it goes into a push, so that
/// the chain follows the order of sending.
/// </summary>
internal sealed record GeneratedEvent(
    EventKind Kind,
    ExchangeObject? Object = null,
    ExchangeObject? Parent = null,
    ExchangeObject? OldObject = null,
    ExchangeObject? OldParent = null,
    int? UnreadCount = null);
