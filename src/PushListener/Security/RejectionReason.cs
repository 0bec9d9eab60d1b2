namespace PushListener.Security;

/// <summary>Why a request to the SendNotification endpoint was refused before it was parsed.</summary>
internal enum RejectionReason
{
    /// <summary>HTTP 403: the source is not in <c>PushListener:Senders:AllowedNetworks</c>.</summary>
    NotAllowed,

    /// <summary>HTTP 429: the source is over <c>PushListener:Senders:RateLimit</c>.</summary>
    RateLimited,

    /// <summary>HTTP 413: the body is over <c>PushListener:Endpoint:MaxRequestBytes</c>.</summary>
    BodyTooLarge,
}

internal static class RejectionReasons
{
    /// <summary>The value of the <c>reason</c> tag on the <c>pushlistener.rejected_requests</c> counter.</summary>
    public static string TagValue(this RejectionReason reason) => reason switch
    {
        RejectionReason.NotAllowed => "not_allowed",
        RejectionReason.RateLimited => "rate_limited",
        RejectionReason.BodyTooLarge => "body_too_large",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>The reason in log lines, naming the setting an operator would change.</summary>
    public static string Description(this RejectionReason reason) => reason switch
    {
        RejectionReason.NotAllowed => "not in " + SenderOptions.SectionName + ":AllowedNetworks",
        RejectionReason.RateLimited => "over " + SenderOptions.SectionName + ":RateLimit",
        RejectionReason.BodyTooLarge => "body over PushListener:Endpoint:MaxRequestBytes",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
