using System.Collections.Concurrent;

namespace PushListener.Simulator.Tests.Infrastructure;

/// <summary>A listener-side handler that records lifecycle events and which registration each notification came in through.</summary>
internal sealed class LifecycleRecorder : INotificationHandler
{
    public ConcurrentQueue<LifecycleEvent> Lifecycle { get; } = new();

    public ConcurrentQueue<(string? SubscriptionId, string? Registration, bool Heartbeat, bool Error, int Events)> Notifications { get; } = new();

    public NotificationFilter Filter => NotificationFilter.Everything;

    public IReadOnlyList<LifecycleEvent> Of(LifecycleKind kind) => [.. Lifecycle.Where(e => e.Kind == kind)];

    public ValueTask<HandlerResult> HandleAsync(NotificationContext context)
    {
        if (context.Lifecycle is { } lifecycle)
        {
            Lifecycle.Enqueue(lifecycle);
        }
        else
        {
            Notifications.Enqueue((context.SubscriptionId, context.Push.Registration?.Name, context.Notification?.IsHeartbeat == true, context.Message!.IsError, context.Notification?.Events.Count ?? 0));
        }

        return ValueTask.FromResult(HandlerResult.Continue);
    }
}
