using PushListener.Protocol;

namespace PushListener.Simulator.Generation;

/// <summary>What a push carries.</summary>
internal enum PushKind
{
    /// <summary>Mailbox events.</summary>
    Events,

    /// <summary>A StatusEvent only: the heartbeat.</summary>
    Heartbeat,

    /// <summary>An error push (ErrorReadEventsFailed): no notification, the subscription is dead.</summary>
    Error,
}

/// <summary>
/// One POST body as Exchange would send it, with what the simulator needs to know about it. Retries send
/// <see cref="Body"/> again unchanged, as Exchange does.
/// </summary>
internal sealed class GeneratedPush
{
    public GeneratedPush(
        ReadOnlyMemory<byte> body,
        SoapVersion soapVersion,
        PushKind kind,
        string subscriptionId,
        string? previousWatermark,
        IReadOnlyList<string> watermarks,
        IReadOnlyList<EventKind> eventKinds,
        bool moreEvents)
    {
        Body = body;
        SoapVersion = soapVersion;
        Kind = kind;
        SubscriptionId = subscriptionId;
        PreviousWatermark = previousWatermark;
        Watermarks = watermarks;
        EventKinds = eventKinds;
        MoreEvents = moreEvents;
    }

    /// <summary>The UTF-8 body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    public SoapVersion SoapVersion { get; }

    public PushKind Kind { get; }

    public string SubscriptionId { get; }

    /// <summary>The notification's PreviousWatermark (for error pushes: the LastWatermark value).</summary>
    public string? PreviousWatermark { get; }

    /// <summary>The events' watermarks in order.</summary>
    public IReadOnlyList<string> Watermarks { get; }

    /// <summary>The events' kinds in order.</summary>
    public IReadOnlyList<EventKind> EventKinds { get; }

    /// <summary>The notification's MoreEvents: another push of the same burst follows at once.</summary>
    public bool MoreEvents { get; }

    /// <summary>The subscription's position after this push.</summary>
    public string? LastWatermark => Watermarks.Count > 0 ? Watermarks[^1] : PreviousWatermark;
}
