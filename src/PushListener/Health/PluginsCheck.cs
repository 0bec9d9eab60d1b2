using Microsoft.Extensions.Diagnostics.HealthChecks;
using PushListener.Pipeline;
using PushListener.Plugins;

namespace PushListener.Health;

/// <summary>Ready only if every plugin loaded (none skipped by <c>SkipFailed</c>) and the handler pipeline was built.</summary>
internal sealed class PluginsCheck(PluginCatalog catalog, NotificationPipeline pipeline) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (catalog.Skipped.Count > 0)
        {
            return Task.FromResult(new HealthCheckResult(
                context.Registration.FailureStatus,
                string.Join(" ", catalog.Skipped.Select(s => s.Message))));
        }

        return Task.FromResult(HealthCheckResult.Healthy($"{catalog.Loaded.Count} plugin(s) loaded; handlers: {string.Join(", ", pipeline.HandlerNames)}."));
    }
}
