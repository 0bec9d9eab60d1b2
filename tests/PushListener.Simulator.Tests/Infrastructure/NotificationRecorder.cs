using System.Collections.Concurrent;

namespace PushListener.Simulator.Tests.Infrastructure;

/// <summary>A listener-side handler that records each notification's place in its watermark chain.</summary>
internal sealed class NotificationRecorder : INotificationHandler
{
    public ConcurrentQueue<(string SubscriptionId, string? Previous, string? Last, bool MoreEvents, int Events)> Seen { get; } = new();

    public ValueTask<HandlerResult> HandleAsync(NotificationContext context)
    {
        if (context.Notification is { } n)
        {
            Seen.Enqueue((n.SubscriptionId, n.PreviousWatermark, n.LastWatermark, n.MoreEvents, n.Events.Count));
        }

        return ValueTask.FromResult(HandlerResult.Continue);
    }
}
