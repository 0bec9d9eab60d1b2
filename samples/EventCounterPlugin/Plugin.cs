using Microsoft.Extensions.DependencyInjection;
using PushListener;

namespace EventCounterPlugin;

/// <summary>The entry point the host looks for: registers the options and the handler.</summary>
public sealed class Plugin : IPushListenerPlugin
{
    /// <inheritdoc />
    public void Configure(PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The plugin's own section, PushListener:Plugins:EventCounterPlugin; a bad value stops start-up naming the setting.
        context.Services.AddOptions<EventCounterOptions>()
            .Bind(context.Configuration)
            .Validate(o => o.LogEvery >= 0, $"PushListener:Plugins:{context.Name}:LogEvery must be 0 or more.")
            .ValidateOnStart();

        // Runs late by default so counts see what earlier handlers let through; operators can change order, filter and timeout.
        context.AddHandler<EventCounterHandler>(handler => handler.Order = 100);
    }
}
