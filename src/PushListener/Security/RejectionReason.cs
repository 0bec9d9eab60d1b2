namespace PushListener.Security;

/// <summary>Why a request to the SendNotification endpoint was refused before it was parsed (an HTTP status, no SOAP).</summary>
internal enum RejectionReason
{
    /// <summary>HTTP 403: the source is not in <c>PushListener:Senders:AllowedNetworks</c>.</summary>
    NotAllowed,

    /// <summary>HTTP 429: the source is over <c>PushListener:Senders:RateLimit</c>.</summary>
    RateLimited,

    /// <summary>HTTP 413: the body is over <c>PushListener:Endpoint:MaxRequestBytes</c>.</summary>
    BodyTooLarge,

    /// <summary>HTTP 415: the Content-Type is neither <c>text/xml</c> nor <c>application/soap+xml</c>.</summary>
    UnsupportedMediaType,

    /// <summary>HTTP 415: the Content-Encoding is not one the endpoint decodes (gzip, deflate, br, identity).</summary>
    UnsupportedContentEncoding,

    /// <summary>HTTP 400: the body is not valid data for its Content-Encoding (corrupt gzip, deflate or Brotli).</summary>
    InvalidContentEncoding,

    /// <summary>HTTP 400: the body could not be read: invalid chunked framing, or it ended before its Content-Length.</summary>
    BadFraming,

    /// <summary>HTTP 408: the body arrived slower than Kestrel's <c>MinRequestBodyDataRate</c>.</summary>
    BodyTimeout,

    /// <summary>
    /// HTTP 404: a callback-token URL whose token no registration holds (a revoked or rotated token, or someone guessing),
    /// or the plain URL while <c>PushListener:Subscriptions:RequireToken</c> is on.
    /// </summary>
    UnknownCallbackUrl,
}

internal static class RejectionReasons
{
    /// <summary>The value of the <c>reason</c> tag on the <c>pushlistener.rejected_requests</c> counter.</summary>
    public static string TagValue(this RejectionReason reason) => reason switch
    {
        RejectionReason.NotAllowed => "not_allowed",
        RejectionReason.RateLimited => "rate_limited",
        RejectionReason.BodyTooLarge => "body_too_large",
        RejectionReason.UnsupportedMediaType => "unsupported_media_type",
        RejectionReason.UnsupportedContentEncoding => "unsupported_content_encoding",
        RejectionReason.InvalidContentEncoding => "invalid_content_encoding",
        RejectionReason.BadFraming => "bad_framing",
        RejectionReason.BodyTimeout => "body_timeout",
        RejectionReason.UnknownCallbackUrl => "unknown_callback_url",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>The reason in log lines, naming the setting an operator would change.</summary>
    public static string Description(this RejectionReason reason) => reason switch
    {
        RejectionReason.NotAllowed => "not in " + SenderOptions.SectionName + ":AllowedNetworks",
        RejectionReason.RateLimited => "over " + SenderOptions.SectionName + ":RateLimit",
        RejectionReason.BodyTooLarge => "body over PushListener:Endpoint:MaxRequestBytes",
        RejectionReason.UnsupportedMediaType => "Content-Type not text/xml or application/soap+xml",
        RejectionReason.UnsupportedContentEncoding => "Content-Encoding not gzip, deflate, br or identity",
        RejectionReason.InvalidContentEncoding => "body not valid data for its Content-Encoding",
        RejectionReason.BadFraming => "body framing invalid or body ended early",
        RejectionReason.BodyTimeout => "body sent slower than Kestrel:Limits:MinRequestBodyDataRate",
        RejectionReason.UnknownCallbackUrl => "callback URL with no registration's token (or the plain URL while PushListener:Subscriptions:RequireToken is on)",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
