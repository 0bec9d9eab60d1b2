using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace PushListener.Tests.Plugins;

/// <summary>
/// Makes a copy of the test assembly usable as a plugin: the only <see cref="IPushListenerPlugin"/> in it. Registers
/// <see cref="NoopHandler"/> and a marker service, then throws when its section says <c>Throw=message</c>.
/// </summary>
public sealed class TestAssemblyPlugin : IPushListenerPlugin
{
    public void Configure(PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Services.AddSingleton(new TestPluginMarker(context.Name));
        context.AddHandler<NoopHandler>();
        if (context.Configuration["Throw"] is { } message)
        {
            throw new InvalidOperationException(message);
        }
    }
}

public sealed record TestPluginMarker(string PluginName);

public sealed class NoopHandler : INotificationHandler
{
    public ValueTask<HandlerResult> HandleAsync(NotificationContext context) => ValueTask.FromResult(HandlerResult.Continue);
}
