using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PushListener.Hosting;
using Serilog;

namespace PushListener.Telemetry;

/// <summary>
/// Metrics, traces and request logging. The instruments always exist (listeners such as <c>dotnet-counters</c> can attach);
/// OpenTelemetry's SDK is wired only when something exports: OTLP when an endpoint is configured (metrics, and traces
/// unless turned off), Prometheus at <c>/metrics</c> when <c>PushListener:Telemetry:Prometheus:Enabled</c> is true.
/// </summary>
internal static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddPushListenerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<TelemetryOptions>(configuration, TelemetryOptions.SectionName);
        services.AddValidatedOptions<LoggingOptions>(configuration, LoggingOptions.SectionName);
        services.AddMetrics();
        services.TryAddSingleton<PushListenerMetrics>();
        services.TryAddSingleton<PushTelemetry>();

        // Request logging's diagnostic context; AddSerilog registers it too, this covers hosts that log another way.
        services.TryAddSingleton(static _ => new Serilog.Extensions.Hosting.DiagnosticContext(null));
        services.TryAddSingleton<IDiagnosticContext>(static sp => sp.GetRequiredService<Serilog.Extensions.Hosting.DiagnosticContext>());
        services.TryAddSingleton<InboxStatsSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<InboxStatsSampler>());

        var options = new TelemetryOptions();
        configuration.GetSection(TelemetryOptions.SectionName).Bind(options);
        var otlp = options.OtlpConfigured(configuration);
        if (!otlp && !options.Prometheus.Enabled)
        {
            return services;
        }

        var builder = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(options.ServiceName));
        builder.WithMetrics(metrics =>
        {
            metrics.AddMeter(PushListenerMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation();
            if (options.Prometheus.Enabled)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlp)
            {
                metrics.AddOtlpExporter(exporter => ConfigureOtlp(exporter, options.Otlp, "v1/metrics"));
            }
        });

        if (otlp && options.Tracing.Enabled)
        {
            var scrapePath = options.Prometheus.Path;
            builder.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.Tracing.SamplingRatio)))
                .AddSource(PushActivities.SourceName)
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context =>
                    !context.Request.Path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase)
                    && !context.Request.Path.StartsWithSegments(scrapePath, StringComparison.OrdinalIgnoreCase))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(exporter => ConfigureOtlp(exporter, options.Otlp, "v1/traces")));
        }

        return services;
    }

    /// <summary>Maps the Prometheus scrape endpoint when it is enabled.</summary>
    public static IEndpointRouteBuilder MapPushListenerTelemetry(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (options.Prometheus.Enabled)
        {
            endpoints.MapPrometheusScrapingEndpoint(options.Prometheus.Path);
        }

        return endpoints;
    }

    /// <summary>Serilog's one line per request, in place of ASP.NET Core's HTTP logging.</summary>
    public static WebApplication UsePushListenerRequestLogging(this WebApplication app)
    {
        var pushLevel = app.Services.GetRequiredService<IOptions<LoggingOptions>>().Value.PushRequestLevel;
        var logger = app.Services.GetService<HostLogger>()?.Logger;
        // A callback-token URL's path ends with the token (as good as a password): the line shows {Path}/*** instead.
        var tokenPrefix = app.Services.GetRequiredService<IOptions<PushListenerOptions>>().Value.Endpoint.Path.TrimEnd('/') + "/";
        app.UseSerilogRequestLogging(request =>
        {
            // The host's logger, not the static one (that is the bootstrap console).
            request.Logger = logger;
            request.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            request.GetLevel = (context, _, exception) => RequestLogLevels.For(context, exception, pushLevel);
            request.GetMessageTemplateProperties = (context, path, elapsed, status) =>
            [
                new Serilog.Events.LogEventProperty("RequestMethod", new Serilog.Events.ScalarValue(context.Request.Method)),
                new Serilog.Events.LogEventProperty("RequestPath", new Serilog.Events.ScalarValue(
                    path.Length > tokenPrefix.Length && path.StartsWith(tokenPrefix, StringComparison.OrdinalIgnoreCase) ? tokenPrefix + "***" : path)),
                new Serilog.Events.LogEventProperty("StatusCode", new Serilog.Events.ScalarValue(status)),
                new Serilog.Events.LogEventProperty("Elapsed", new Serilog.Events.ScalarValue(elapsed)),
            ];
            request.EnrichDiagnosticContext = static (diagnostics, context) =>
                diagnostics.Set("RemoteAddress", context.Connection.RemoteIpAddress?.ToString());
        });
        return app;
    }

    private static void ConfigureOtlp(OtlpExporterOptions exporter, OtlpSettings settings, string signalPath)
    {
        exporter.Protocol = settings.Protocol == OtlpTransport.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // An invalid endpoint is reported by the options' validation, before anything is exported.
        if (Uri.TryCreate(settings.Endpoint, UriKind.Absolute, out var endpoint))
        {
            // Set in code, the endpoint is used as is: over HTTP it must name the signal's path.
            exporter.Endpoint = settings.Protocol == OtlpTransport.HttpProtobuf ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath) : endpoint;
        }
    }
}
