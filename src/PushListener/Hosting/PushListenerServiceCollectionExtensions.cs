using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PushListener.Admin;
using PushListener.Endpoint;
using PushListener.Feeds;
using PushListener.Handlers.Webhook;
using PushListener.Health;
using PushListener.Inbox;
using PushListener.Pipeline;
using PushListener.Plugins;
using PushListener.Security;
using PushListener.Subscriptions;
using PushListener.Subscriptions.Management;
using PushListener.Telemetry;

namespace PushListener.Hosting;

/// <summary>Registers and maps PushListener.</summary>
public static class PushListenerServiceCollectionExtensions
{
    /// <summary>Adds PushListener's services, bound to the <c>PushListener</c> configuration section and validated at start-up.</summary>
    public static IPushListenerBuilder AddPushListener(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var builder = new PushListenerBuilder(services, configuration);
        // Start-up steps in stage order (the store first), before the server takes requests; workers wait for the gate.
        services.TryAddSingleton<StartupGate>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PushListenerStartup>());
        services.AddOptions<PushListenerOptions>().Bind(configuration.GetSection(PushListenerOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PushListenerOptions>>(sp => new PushListenerOptionsValidator(sp.GetServices<HandlerTypeDefinition>(), configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IPushProcessor, AcceptingPushProcessor>();
        services.TryAddSingleton<SendNotificationEndpoint>();
        services.TryAddSingleton<ContractDocuments>();
        services.AddPushListenerTelemetry(configuration);
        services.AddPipeline(configuration);
        services.AddWebhookHttpClient();
        services.AddPlugins(configuration);
        builder.AddInbox();
        builder.AddSubscriptions();
        builder.AddSubscriptionManager();
        services.AddFeeds(configuration);
        services.AddAdmin(configuration);
        services.AddSenderRestrictions(configuration);

        services.AddPushListenerHealth(configuration);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<PushListenerOptions>>((forwarded, listener) =>
        {
            var settings = listener.Value.ForwardedHeaders;
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            foreach (var proxy in settings.KnownProxies)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
            }

            foreach (var network in settings.KnownNetworks)
            {
                if (System.Net.IPNetwork.TryParse(network, out var range))
                {
                    forwarded.KnownIPNetworks.Add(range);
                }
            }
        });

        return builder;
    }

    /// <summary>Adds <typeparamref name="THandler"/> to the notification pipeline.</summary>
    public static IPushListenerBuilder AddHandler<THandler>(this IPushListenerBuilder builder, Action<HandlerOptions>? configure = null)
        where THandler : class, INotificationHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddNotificationHandler<THandler>(configure);
        return builder;
    }

    /// <summary>Adds PushListener's middleware: forwarded headers (when enabled) and request logging.</summary>
    public static WebApplication UsePushListener(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<PushListenerOptions>>().Value;
        if (options.ForwardedHeaders.Enabled)
        {
            app.UseForwardedHeaders();
        }

        app.UseSenderRestrictions();

        // One line per request (bodies never); refusals by the sender restrictions above are counted there instead.
        app.UsePushListenerRequestLogging();

        // HTTP-level rejections (405, 404) carry a one-line reason instead of an empty body.
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Maps <c>POST {Path}</c> (SendNotification), <c>GET {Path}?wsdl</c>, the health endpoints and (when enabled) <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapPushListener(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<PushListenerOptions>>().Value;
        var path = options.Endpoint.Path;

        endpoints.MapPost(path, static context => context.RequestServices.GetRequiredService<SendNotificationEndpoint>().HandleAsync(context, null))
            .WithDisplayName("SendNotification");
        // Callback-token URLs: Exchange is given {path}/{token}; the token names the registration.
        endpoints.MapPost(path.TrimEnd('/') + "/{token}", static context => context.RequestServices.GetRequiredService<SendNotificationEndpoint>().HandleAsync(context, (string?)context.GetRouteValue("token")))
            .WithDisplayName("SendNotification (callback token)");
        if (options.Endpoint.ServeContract)
        {
            endpoints.MapGet(path, static context => context.RequestServices.GetRequiredService<ContractDocuments>().HandleAsync(context))
                .WithDisplayName("SendNotification contract");
        }

        endpoints.MapPushListenerHealth();
        endpoints.MapPushListenerTelemetry();
        endpoints.MapAdmin();
        endpoints.MapFeeds();
        return endpoints;
    }
}
