using PushListener.Handlers.Webhook;

namespace PushListener.Feeds;

/// <summary>
/// The built-in handler behind feeds: appends each notification, error push and lifecycle event to every live feed whose
/// scope takes it, as the webhook JSON (<c>pushlistener.notification/v1</c>) narrowed to the feed's events. Matching runs
/// against the in-memory registry; all of one delivery's appends commit in one write, idempotent per (feed, delivery id)
/// because the dispatcher may call a handler again for the same delivery.
/// </summary>
internal sealed partial class FeedHandler(FeedRegistry registry, IFeedStore store, FeedSignals signals, ILogger<FeedHandler> logger) : INotificationHandler
{
    public NotificationFilter Filter => NotificationFilter.Everything;

    public async ValueTask<HandlerResult> HandleAsync(NotificationContext context)
    {
        // The dispatcher may start delivering recovered entries before the feeds are loaded; matching an empty registry would lose them.
        if (!await registry.Loaded.WaitAsync(context.CancellationToken))
        {
            return HandlerResult.Continue;
        }

        var feeds = registry.Active;
        if (feeds.Count == 0)
        {
            return HandlerResult.Continue;
        }

        List<FeedAppend>? appends = null;
        Dictionary<string, byte[]>? bodies = null;
        foreach (var feed in feeds)
        {
            if (!feed.Matcher.Matches(context, out var kind, out var kept))
            {
                continue;
            }

            // Feeds that take the same events share one encoding.
            var key = kept is null ? string.Empty : string.Concat(kept.Select(k => k ? '1' : '0'));
            bodies ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
            if (!bodies.TryGetValue(key, out var body))
            {
                body = kept is null ? WebhookPayload.Serialize(context) : WebhookPayload.Serialize(Narrow(context.Message!, kept), context.Push);
                bodies.Add(key, body);
            }

            (appends ??= []).Add(new FeedAppend(feed, context.Push.DeliveryId, kind, body));
        }

        if (appends is null)
        {
            return HandlerResult.Continue;
        }

        var outcome = await store.AppendAsync(appends, context.CancellationToken);
        foreach (var session in outcome.Sessions)
        {
            signals.Pulse(session);
        }

        foreach (var overflow in outcome.Overflows)
        {
            // One warning per overflow episode: a feed whose consumer is gone overflows on every append.
            if (overflow.NewGap)
            {
                Overflowed(logger, overflow.Handle, overflow.Dropped, overflow.Reason);
            }
        }

        return HandlerResult.Continue;
    }

    private static NotificationMessage Narrow(NotificationMessage message, bool[] kept)
    {
        var notification = message.Notification!;
        var events = new List<NotificationEvent>();
        for (var i = 0; i < kept.Length; i++)
        {
            if (kept[i])
            {
                events.Add(notification.Events[i]);
            }
        }

        return new NotificationMessage(
            message.ResponseClass,
            message.ResponseCode,
            message.MessageText,
            message.DescriptiveLinkKey,
            message.MessageXmlValues,
            new Notification(notification.SubscriptionId, notification.PreviousWatermark, notification.MoreEvents, events));
    }

    [LoggerMessage(800, LogLevel.Warning, "Feed {Handle} is full ({Reason}): dropped its {Dropped} oldest unacknowledged entries; its consumer gets a gap record")]
    private static partial void Overflowed(ILogger logger, string handle, long dropped, string reason);
}
