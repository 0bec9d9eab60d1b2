using System.Collections.Concurrent;

namespace PushListener.Tests.Infrastructure;

/// <summary>A handler that opted in to lifecycle events and records everything it gets.</summary>
internal sealed class LifecycleRecorder : INotificationHandler
{
    public ConcurrentQueue<LifecycleEvent> Lifecycle { get; } = new();

    public ConcurrentQueue<NotificationContext> Notifications { get; } = new();

    public NotificationFilter Filter => NotificationFilter.Everything;

    public ValueTask<HandlerResult> HandleAsync(NotificationContext context)
    {
        if (context.Lifecycle is { } lifecycle)
        {
            Lifecycle.Enqueue(lifecycle);
        }
        else
        {
            Notifications.Enqueue(context);
        }

        return ValueTask.FromResult(HandlerResult.Continue);
    }
}
