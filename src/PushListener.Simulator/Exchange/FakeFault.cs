namespace PushListener.Simulator.Exchange;

/// <summary>Faults the fake Exchange injects into its next Subscribe answers.</summary>
internal enum FakeFaultKind
{
    /// <summary>A SOAP fault <c>ErrorServerBusy</c> with <c>BackOffMilliseconds</c> (HTTP 500), as Exchange throttles.</summary>
    ServerBusy,

    /// <summary><c>ErrorInvalidWatermark</c> for a request that carries a watermark (as for one older than 30 days).</summary>
    InvalidWatermark,

    /// <summary><c>ErrorExceededSubscriptionCount</c>.</summary>
    ExceededSubscriptionCount,

    /// <summary><c>ErrorImpersonateUserDenied</c>: the account may not impersonate the mailbox.</summary>
    ImpersonateUserDenied,
}

/// <summary>A fault for the next <see cref="Count"/> Subscribe requests (of <see cref="Mailbox"/> only, when given).</summary>
internal sealed record FakeFault(FakeFaultKind Kind, int Count = 1, long BackOffMilliseconds = 5000, string? Mailbox = null);
