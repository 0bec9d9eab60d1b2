namespace PushListener.Handlers.Logging;

/// <summary>
/// Writes one structured log event per notification with its events (kind, watermark, time stamp and, unless turned off,
/// ids), or per error push with its code and text.
/// </summary>
internal sealed partial class LogHandler(LogHandlerSettings settings) : INotificationHandler
{
    public NotificationFilter Filter => NotificationFilter.Everything;

    public ValueTask<HandlerResult> HandleAsync(NotificationContext context)
    {
        var logger = context.Logger;
        if (!logger.IsEnabled(settings.Level))
        {
            return ValueTask.FromResult(HandlerResult.Continue);
        }

        if (context.Lifecycle is { } lifecycle)
        {
            Lifecycle(logger, settings.Level, lifecycle.Kind, lifecycle.SubscriptionId, lifecycle.LastStoredWatermark, lifecycle.ReceivedPreviousWatermark, lifecycle.LastSeen, lifecycle.ExpectedInterval, lifecycle.ResponseCode, context.Push.Registration?.Name, lifecycle.Reason, lifecycle.PreviousSubscriptionId, lifecycle.RetryAt);
            return ValueTask.FromResult(HandlerResult.Continue);
        }

        var message = context.Message!;
        if (message.Notification is not { } notification)
        {
            ErrorPush(logger, settings.Level, message.SubscriptionId, message.ResponseClass, message.ResponseCode, message.MessageText, context.Push.DeliveryId);
            return ValueTask.FromResult(HandlerResult.Continue);
        }

        var events = new LoggedEvent[notification.Events.Count];
        for (var i = 0; i < events.Length; i++)
        {
            var e = notification.Events[i];
            events[i] = settings.IncludeIds
                ? new LoggedEvent(e.Kind.ToString(), e.Watermark, e.TimeStamp, e.ObjectId?.Id, e.ObjectId?.Kind.ToString(), e.ParentFolderId?.Id, e.OldObjectId?.Id, e.OldParentFolderId?.Id, e.UnreadCount)
                : new LoggedEvent(e.Kind.ToString(), e.Watermark, e.TimeStamp, null, e.ObjectId?.Kind.ToString(), null, null, null, e.UnreadCount);
        }

        NotificationReceived(logger, settings.Level, notification.SubscriptionId, events.Length, notification.PreviousWatermark, notification.MoreEvents, context.Push.RequestServerVersion, context.Push.DeliveryId, events);
        return ValueTask.FromResult(HandlerResult.Continue);
    }

    [LoggerMessage(EventId = 200, Message = "Notification for subscription {SubscriptionId}: {EventCount} event(s), previous watermark {PreviousWatermark}, more events {MoreEvents}, server {RequestServerVersion}, delivery {DeliveryId}: {@Events}")]
    private static partial void NotificationReceived(ILogger logger, LogLevel level, string subscriptionId, int eventCount, string? previousWatermark, bool moreEvents, string? requestServerVersion, string deliveryId, LoggedEvent[] events);

    [LoggerMessage(EventId = 201, Message = "Error push for subscription {SubscriptionId}: {ResponseClass} {ResponseCode}: {MessageText} (delivery {DeliveryId})")]
    private static partial void ErrorPush(ILogger logger, LogLevel level, string? subscriptionId, ResponseClass responseClass, string responseCode, string? messageText, string deliveryId);

    [LoggerMessage(EventId = 202, Message = "Subscription {SubscriptionId} lifecycle: {LifecycleKind} (last stored watermark {LastStoredWatermark}, received previous watermark {ReceivedPreviousWatermark}, last seen {LastSeen}, expected interval {ExpectedInterval}, code {ResponseCode}, registration {Registration}, reason {Reason}, previous subscription {PreviousSubscriptionId}, retry at {RetryAt})")]
    private static partial void Lifecycle(ILogger logger, LogLevel level, LifecycleKind lifecycleKind, string subscriptionId, string? lastStoredWatermark, string? receivedPreviousWatermark, DateTimeOffset? lastSeen, TimeSpan? expectedInterval, string? responseCode, string? registration, string? reason, string? previousSubscriptionId, DateTimeOffset? retryAt);

    /// <summary>An event as it appears in the log.</summary>
    internal sealed record LoggedEvent(string Kind, string? Watermark, DateTimeOffset? TimeStamp, string? Id, string? IdKind, string? ParentFolderId, string? OldId, string? OldParentFolderId, int? UnreadCount);
}
