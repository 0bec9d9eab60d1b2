using System.Collections.Concurrent;

namespace PushListener.Tests.Infrastructure;

/// <summary>A handler that records what it saw and answers as told.</summary>
internal sealed class RecordingHandler(string name, Func<NotificationContext, ValueTask<HandlerResult>>? behaviour = null, NotificationFilter? filter = null) : INotificationHandler
{
    public static ConcurrentQueue<string> SharedLog { get; } = new();

    public string Name { get; } = name;

    public ConcurrentQueue<NotificationContext> Calls { get; } = new();

    public NotificationFilter Filter { get; } = filter ?? NotificationFilter.Any;

    public ConcurrentQueue<string>? Log { get; init; }

    /// <summary>Declares the handler may vote Unsubscribe, so answers wait for its vote. Default false.</summary>
    public bool MayUnsubscribe { get; init; }

    public ValueTask<HandlerResult> HandleAsync(NotificationContext context)
    {
        Calls.Enqueue(context);
        Log?.Enqueue(Name);
        return behaviour?.Invoke(context) ?? ValueTask.FromResult(HandlerResult.Continue);
    }
}
