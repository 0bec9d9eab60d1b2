using System.Globalization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PushListener.Hosting;

namespace PushListener.Security;

/// <summary>Wires the sender restrictions (allow-list, per-source rate limit, rejection counts) in front of the SendNotification endpoint.</summary>
internal static class SenderRestrictionsExtensions
{
    public static IServiceCollection AddSenderRestrictions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SenderOptions>().Bind(configuration.GetSection(SenderOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SenderOptions>>(new SenderOptionsValidator(configuration)));
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        // The middleware needs the feature's services; its options are our own, passed to UseRateLimiter directly, so
        // whatever else the application configures through AddRateLimiter is left alone.
        services.AddRateLimiter(static _ => { });
        services.TryAddSingleton<SenderAllowList>();
        services.TryAddSingleton<RejectionCounter>();
        services.TryAddSingleton<SenderRateLimiter>();
        return services;
    }

    /// <summary>
    /// Restricts <c>{Path}</c> and everything under it (token sub-paths), in any letter case as routing matches it, and
    /// nothing else: <c>/healthz</c> and <c>/api</c> stay reachable. Call it after the forwarded-headers middleware, so the
    /// address is the sender's and not the proxy's, and before request logging, so a flood is not logged request by request.
    /// </summary>
    public static IApplicationBuilder UseSenderRestrictions(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ApplicationServices;
        var path = services.GetRequiredService<IOptions<PushListenerOptions>>().Value.Endpoint.Path.TrimEnd('/');
        var allowList = services.GetRequiredService<SenderAllowList>();
        var limiter = services.GetRequiredService<SenderRateLimiter>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("PushListener.Security.SenderRestrictions");
        SecurityLog.Configured(
            logger,
            path.Length == 0 ? "/" : path,
            allowList.IsRestricted ? string.Join(", ", allowList.Ranges) : "any (PushListener:Senders:AllowedNetworks is empty)",
            limiter.Bucket is { } bucket
                ? string.Create(CultureInfo.InvariantCulture, $"{bucket.TokensPerPeriod / bucket.ReplenishmentPeriod.TotalSeconds:0.###}/s per source, burst {bucket.TokenLimit}")
                : "off");

        // A root endpoint path would make every URL "under" it, health checks included: then only "/" itself is restricted.
        var endpoint = new PathString(path);
        Func<HttpContext, bool> isEndpoint = path.Length == 0
            ? static context => context.Request.Path == "/"
            : context => context.Request.Path.StartsWithSegments(endpoint, StringComparison.OrdinalIgnoreCase);
        app.UseWhen(isEndpoint, branch =>
        {
            branch.UseMiddleware<SenderAllowListMiddleware>();
            if (limiter.MiddlewareOptions is { } options)
            {
                branch.UseRateLimiter(options);
            }
        });
        return app;
    }

    private sealed class SenderOptionsValidator(IConfiguration configuration) : IValidateOptions<SenderOptions>
    {
        public ValidateOptionsResult Validate(string? name, SenderOptions options)
        {
            var keys = configuration.GetSection(SenderOptions.SectionName + ":AllowedNetworks").GetChildren().Where(c => c.Value is not null).Select(c => c.Key).ToList();
            var errors = options.Validate(keys).ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
