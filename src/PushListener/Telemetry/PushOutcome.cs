namespace PushListener.Telemetry;

/// <summary>The <c>outcome</c> tag of a push, as metrics and the request log show it.</summary>
internal static class PushOutcome
{
    /// <summary>Stored (or taken by the pipeline) and answered OK.</summary>
    public const string Ok = "ok";

    /// <summary>Stored and answered Unsubscribe.</summary>
    public const string Unsubscribe = "unsubscribe";

    /// <summary>Answered with a SOAP fault: not understood, or not stored (Exchange retries).</summary>
    public const string Fault = "fault";

    /// <summary>Every message was stored before (a retry by Exchange); answered what the first one earned.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Refused before storing: an HTTP-level rejection (400, 404, 408, 413, 415) or the unknown-subscription policy.</summary>
    public const string Refused = "refused";
}
