using System.Globalization;
using System.Text;

namespace PushListener.Handlers.Logging;

/// <summary>
/// Writes one readable log line per notification: the event kinds with their counts, the item and folder ids (unless
/// turned off), the last watermark and the events' time span in ISO 8601; or one per error push with its code and text,
/// or per lifecycle event. Values are also properties, for structured sinks.
/// </summary>
internal sealed partial class LogHandler(LogHandlerSettings settings) : INotificationHandler
{
    /// <summary>Ids listed per line at most; the rest are counted.</summary>
    internal const int MaxIdsShown = 10;

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
            var lastSeen = Iso(lifecycle.LastSeen);
            var retryAt = Iso(lifecycle.RetryAt);
            Lifecycle(logger, settings.Level, lifecycle.Kind, lifecycle.SubscriptionId, lifecycle.LastStoredWatermark, lifecycle.ReceivedPreviousWatermark, lastSeen, lifecycle.ExpectedInterval, lifecycle.ResponseCode, context.Push.Registration?.Name, lifecycle.Reason, lifecycle.PreviousSubscriptionId, retryAt);
            return ValueTask.FromResult(HandlerResult.Continue);
        }

        var message = context.Message!;
        if (message.Notification is not { } notification)
        {
            ErrorPush(logger, settings.Level, message.SubscriptionId, message.ResponseClass, message.ResponseCode, message.MessageText, context.Push.DeliveryId);
            return ValueTask.FromResult(HandlerResult.Continue);
        }

        var events = notification.Events;
        var summary = Describe(events, settings.IncludeIds);
        NotificationReceived(logger, settings.Level, notification.SubscriptionId, events.Count, summary.Kinds, summary.Items, summary.Folders, summary.Watermark, summary.From, summary.To, notification.MoreEvents, context.Push.RequestServerVersion, context.Push.DeliveryId);
        return ValueTask.FromResult(HandlerResult.Continue);
    }

    /// <summary>The parts of the line: kinds with counts in first-seen order, ids, the last watermark, the time span.</summary>
    internal static EventSummary Describe(IReadOnlyList<NotificationEvent> events, bool includeIds)
    {
        var kinds = new List<(EventKind Kind, int Count)>(4);
        var items = includeIds ? new List<string>() : null;
        var folders = includeIds ? new List<string>() : null;
        string? watermark = null;
        DateTimeOffset? from = null, to = null;
        foreach (var e in events)
        {
            var index = kinds.FindIndex(k => k.Kind == e.Kind);
            if (index < 0)
            {
                kinds.Add((e.Kind, 1));
            }
            else
            {
                kinds[index] = (e.Kind, kinds[index].Count + 1);
            }

            watermark = e.Watermark ?? watermark;
            if (e.TimeStamp is { } at)
            {
                from = from is null || at < from ? at : from;
                to = to is null || at > to ? at : to;
            }

            if (includeIds)
            {
                AddDistinct(e.IsFolderEvent ? folders! : items!, e.ObjectId?.Id);
                AddDistinct(e.IsFolderEvent ? folders! : items!, e.OldObjectId?.Id);
                AddDistinct(folders!, e.ParentFolderId?.Id);
                AddDistinct(folders!, e.OldParentFolderId?.Id);
            }
        }

        var text = new StringBuilder();
        foreach (var (kind, count) in kinds)
        {
            text.Append(text.Length == 0 ? string.Empty : ", ").Append(kind).Append(' ').Append(count.ToString(CultureInfo.InvariantCulture));
        }

        return new EventSummary(text.ToString(), List(items), List(folders), watermark, Iso(from), Iso(to));
    }

    private static void AddDistinct(List<string> ids, string? id)
    {
        if (id is not null && !ids.Contains(id, StringComparer.Ordinal))
        {
            ids.Add(id);
        }
    }

    private static string List(List<string>? ids) => ids switch
    {
        null => "(not logged)",
        { Count: 0 } => "none",
        { Count: <= MaxIdsShown } => string.Join(", ", ids),
        _ => string.Join(", ", ids.Take(MaxIdsShown)) + string.Create(CultureInfo.InvariantCulture, $" and {ids.Count - MaxIdsShown} more"),
    };

    // ISO 8601 in UTC, whatever the culture: log lines must read the same everywhere.
    private static string? Iso(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 200, Message = "Notification for subscription {SubscriptionId}: {EventCount} event(s): {EventKinds}; items {ItemIds}; folders {FolderIds}; watermark {Watermark}; events from {FirstEventAt} to {LastEventAt}; more events {MoreEvents}; server {RequestServerVersion}; delivery {DeliveryId}")]
    private static partial void NotificationReceived(ILogger logger, LogLevel level, string subscriptionId, int eventCount, string eventKinds, string itemIds, string folderIds, string? watermark, string? firstEventAt, string? lastEventAt, bool moreEvents, string? requestServerVersion, string deliveryId);

    [LoggerMessage(EventId = 201, Message = "Error push for subscription {SubscriptionId}: {ResponseClass} {ResponseCode}: {MessageText} (delivery {DeliveryId})")]
    private static partial void ErrorPush(ILogger logger, LogLevel level, string? subscriptionId, ResponseClass responseClass, string responseCode, string? messageText, string deliveryId);

    [LoggerMessage(EventId = 202, Message = "Subscription {SubscriptionId} lifecycle: {LifecycleKind} (last stored watermark {LastStoredWatermark}, received previous watermark {ReceivedPreviousWatermark}, last seen {LastSeen}, expected interval {ExpectedInterval}, code {ResponseCode}, registration {Registration}, reason {Reason}, previous subscription {PreviousSubscriptionId}, retry at {RetryAt})")]
    private static partial void Lifecycle(ILogger logger, LogLevel level, LifecycleKind lifecycleKind, string subscriptionId, string? lastStoredWatermark, string? receivedPreviousWatermark, string? lastSeen, TimeSpan? expectedInterval, string? responseCode, string? registration, string? reason, string? previousSubscriptionId, string? retryAt);

    /// <summary>A notification's events, summarised for one line.</summary>
    internal readonly record struct EventSummary(string Kinds, string Items, string Folders, string? Watermark, string? From, string? To);
}
