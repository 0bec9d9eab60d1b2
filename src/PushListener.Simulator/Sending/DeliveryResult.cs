namespace PushListener.Simulator.Sending;

/// <summary>How one POST ended, seen from Exchange.</summary>
internal enum DeliveryOutcome
{
    /// <summary>SendNotificationResult with SubscriptionStatus OK: delivered, keep sending.</summary>
    Ok,

    /// <summary>SendNotificationResult with SubscriptionStatus Unsubscribe: delivered, the subscription ends.</summary>
    Unsubscribe,

    /// <summary>A SOAP fault (any HTTP status): not delivered, retry.</summary>
    Fault,

    /// <summary>An HTTP error status without a SOAP fault: not delivered, retry.</summary>
    HttpError,

    /// <summary>A 2xx whose body is not a valid SendNotificationResult (e.g. <c>UNSUBSCRIBE</c>, HTML): not delivered, retry.</summary>
    BadReply,

    /// <summary>No answer within the timeout: not delivered, retry.</summary>
    Timeout,

    /// <summary>No connection, or it broke: not delivered, retry.</summary>
    ConnectionError,
}

/// <summary>The result of one POST.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="StatusCode">The HTTP status, when there was an answer.</param>
/// <param name="Latency">From the send (or its scheduled time, in open-loop load) to the end of the answer or the failure.</param>
/// <param name="Detail">The fault reason or other explanation, for display.</param>
/// <param name="Reply">The answer body, when asked for.</param>
internal readonly record struct DeliveryResult(DeliveryOutcome Outcome, int? StatusCode, TimeSpan Latency, string? Detail = null, string? Reply = null)
{
    /// <summary>True for OK and Unsubscribe: Exchange counts the push as delivered.</summary>
    public bool IsAcknowledged => Outcome is DeliveryOutcome.Ok or DeliveryOutcome.Unsubscribe;
}
