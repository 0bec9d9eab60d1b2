namespace PushListener.Simulator.Exchange;

/// <summary>A Subscribe request as the fake Exchange read it, with the headers that matter.</summary>
internal sealed record SubscribeCall(
    string Mailbox,
    IReadOnlyList<string> Folders,
    bool AllFolders,
    IReadOnlyList<string> EventTypes,
    string? Watermark,
    int StatusFrequency,
    Uri Url,
    string ServerVersion,
    string? AnchorMailbox,
    string? PreferServerAffinity,
    string? BackEndOverrideCookie,
    string AuthenticationScheme,
    bool Impersonated,
    DateTimeOffset At);

/// <summary>The fake's answer to a Subscribe: a subscription, or an EWS error (as a response message or, for throttling, a SOAP fault).</summary>
internal sealed record SubscribeOutcome(string ResponseCode, string? SubscriptionId = null, string? Watermark = null, string? MessageText = null, long? BackOffMilliseconds = null, bool AsFault = false)
{
    public bool IsSuccess => ResponseCode == "NoError";
}
