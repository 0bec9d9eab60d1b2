namespace PushListener.Ews;

/// <summary>What a Subscribe answer means for the next attempt.</summary>
internal enum SubscribeErrorKind
{
    /// <summary>Subscribed.</summary>
    None,

    /// <summary>Try again later (server busy, throttled, a network or server failure): back off, then retry.</summary>
    Transient,

    /// <summary><c>ErrorInvalidWatermark</c>: the watermark is too old or from another database. Subscribe without one and resynchronise.</summary>
    InvalidWatermark,

    /// <summary>Retrying cannot help until someone changes something (credentials, permissions, subscription count, configuration): stop.</summary>
    Permanent,
}
