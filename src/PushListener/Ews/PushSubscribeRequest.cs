namespace PushListener.Ews;

/// <summary>What to ask Exchange for: one push subscription on one mailbox.</summary>
/// <param name="Mailbox">The mailbox's SMTP address: the <c>X-AnchorMailbox</c> header, and the impersonated user.</param>
/// <param name="Folders">Distinguished folder ids (<c>inbox</c>, <c>calendar</c>, ...); ignored when <paramref name="AllFolders"/>.</param>
/// <param name="AllFolders">Subscribe to every folder (<c>SubscribeToAllFolders</c>).</param>
/// <param name="EventTypes">EWS event type names (<c>NewMailEvent</c>, ...).</param>
/// <param name="Watermark">Resume from here (events since are replayed); null for a fresh subscription.</param>
/// <param name="StatusFrequency">Minutes between heartbeats, 1 to 1440; also Exchange's retry budget.</param>
/// <param name="CallbackUrl">Where Exchange pushes.</param>
/// <param name="Impersonate">Send <c>ExchangeImpersonation</c> naming the mailbox.</param>
/// <param name="ServerVersion">The <c>RequestServerVersion</c> header.</param>
internal sealed record PushSubscribeRequest(
    string Mailbox,
    IReadOnlyList<string> Folders,
    bool AllFolders,
    IReadOnlyList<string> EventTypes,
    string? Watermark,
    int StatusFrequency,
    Uri CallbackUrl,
    bool Impersonate,
    string ServerVersion = EwsNames.DefaultServerVersion);
