using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Inbox;

namespace PushListener.Health;

/// <summary>
/// Health endpoints: <c>/healthz/live</c> (the process runs and answers), <c>/healthz/ready</c> (the inbox takes writes,
/// its disk has room, delivery is not stuck, plugins loaded) and <c>/healthz</c> (the same checks as ready, answered in plain
/// text). GET and HEAD only; 200 when healthy, 503 when not, with a JSON report on the first two.
/// </summary>
internal static class HealthServiceCollectionExtensions
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddPushListenerHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<HealthOptions>(configuration, HealthOptions.SectionName);
        services.TryAddSingleton<IFreeDiskSpace, DriveFreeDiskSpace>();
        services.TryAddSingleton<InboxDataFolder>();
        services.TryAddSingleton<InboxWriteState>();
        var checks = services.AddHealthChecks()
            .AddCheck<PluginsCheck>("plugins", tags: [ReadyTag]);
        if (configuration.GetValue(InboxOptions.SectionName + ":Enabled", true))
        {
            checks.AddCheck<StoreWritableCheck>("inbox-writable", tags: [ReadyTag])
                .AddCheck<FreeDiskCheck>("disk-space", tags: [ReadyTag])
                .AddCheck<DeliveryLagCheck>("delivery-lag", tags: [ReadyTag]);
        }

        // Every check, also those added later (the storage provider's, a plugin's), answers within CheckTimeout.
        services.AddOptions<HealthCheckServiceOptions>().PostConfigure<IOptions<HealthOptions>>((o, health) =>
        {
            var timeout = health.Value.CheckTimeout;
            foreach (var registration in o.Registrations)
            {
                var factory = registration.Factory;
                registration.Factory = sp => new BoundedHealthCheck(factory(sp), timeout, sp.GetService<TimeProvider>() ?? TimeProvider.System);
                // The host's own bound, a little later: the wrapper answers first, with the setting in its reason. A
                // registration that asked for less (a plugin's own Timeout) keeps it.
                var hostBound = timeout + TimeSpan.FromSeconds(1);
                if (registration.Timeout <= TimeSpan.Zero || registration.Timeout == Timeout.InfiniteTimeSpan || registration.Timeout > hostBound)
                {
                    registration.Timeout = hostBound;
                }
            }
        });

        // Checks are resolved per run; the probe's cache must outlive one.
        services.TryAddSingleton<StoreWritableCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapPushListenerHealth(this IEndpointRouteBuilder endpoints)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = HealthResponseWriter.WriteAsync };
        // /healthz keeps its plain-text answer (Healthy, Unhealthy) for existing probes; it runs the readiness checks.
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = ready.Predicate }).WithMetadata(new HttpMethodMetadata(methods)).WithDisplayName("Health");
        endpoints.MapHealthChecks("/healthz/ready", ready).WithMetadata(new HttpMethodMetadata(methods)).WithDisplayName("Readiness");
        endpoints.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = static _ => false, ResponseWriter = HealthResponseWriter.WriteAsync })
            .WithMetadata(new HttpMethodMetadata(methods)).WithDisplayName("Liveness");
        return endpoints;
    }
}
