namespace PushListener.Pipeline;

internal static partial class PipelineLog
{
    [LoggerMessage(100, LogLevel.Error, "Handler {Handler} failed for subscription {SubscriptionId} (attempt {Attempt})")]
    public static partial void HandlerFailed(ILogger logger, string handler, string? subscriptionId, int attempt, Exception exception);

    [LoggerMessage(101, LogLevel.Error, "Handler {Handler} timed out after {Timeout} for subscription {SubscriptionId} (attempt {Attempt})")]
    public static partial void HandlerTimedOut(ILogger logger, string handler, TimeSpan timeout, string? subscriptionId, int attempt);

    [LoggerMessage(102, LogLevel.Information, "Handler {Handler} votes Unsubscribe for subscription {SubscriptionId}: {Reason}")]
    public static partial void UnsubscribeVote(ILogger logger, string handler, string? subscriptionId, string? reason);

    [LoggerMessage(103, LogLevel.Debug, "Handler {Handler} stopped the pipeline for subscription {SubscriptionId}: {Reason}")]
    public static partial void PipelineStopped(ILogger logger, string handler, string? subscriptionId, string? reason);

    [LoggerMessage(104, LogLevel.Information, "Pipeline: {Handlers}")]
    public static partial void PipelineBuilt(ILogger logger, string handlers);
}
