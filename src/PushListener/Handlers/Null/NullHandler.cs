using PushListener.Pipeline;

namespace PushListener.Handlers.Null;

/// <summary>Does nothing and succeeds: the pipeline's cost alone, for benchmarks and for checking a deployment end to end.</summary>
internal sealed class NullHandler : INotificationHandler
{
    public ValueTask<HandlerResult> HandleAsync(NotificationContext context) => ValueTask.FromResult(HandlerResult.Continue);
}

/// <summary>The <c>Null</c> handler type has no settings.</summary>
internal sealed class NullHandlerSettings : IHandlerSettings
{
    public IEnumerable<string> Validate(string path) => [];
}
