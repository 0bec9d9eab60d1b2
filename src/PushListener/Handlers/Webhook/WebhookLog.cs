namespace PushListener.Handlers.Webhook;

internal static partial class WebhookLog
{
    [LoggerMessage(300, LogLevel.Information, "Webhook delivery {DeliveryId} to {Target}: attempt {Attempt} failed ({Failure}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string deliveryId, string target, int attempt, string failure, TimeSpan delay);

    [LoggerMessage(301, LogLevel.Error, "Webhook target {Target} keeps failing: {Failures} deliveries in a row, last {LastFailure}. Notifications are not reaching it; this is logged once until it recovers")]
    public static partial void TargetFailing(ILogger logger, string target, int failures, string lastFailure);

    [LoggerMessage(302, LogLevel.Information, "Webhook target {Target} recovered after {Failures} failed deliveries in a row")]
    public static partial void TargetRecovered(ILogger logger, string target, int failures);
}
