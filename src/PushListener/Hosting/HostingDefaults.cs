using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PushListener.Hosting;

/// <summary>
/// The address and connection limits, as conventions an operator expects: <c>--urls</c>, <c>ASPNETCORE_URLS</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c> / <c>_HTTPS_PORTS</c> and <c>Kestrel:Endpoints</c> decide where the service listens, and
/// only when none is set does it listen on <see cref="DefaultUrl"/>. Kestrel's limits get defaults that keep idle or
/// slow connections from exhausting descriptors or memory; <c>Kestrel:Limits:*</c> settings override each.
/// </summary>
public static class HostingDefaults
{
    /// <summary>Where the service listens when nothing else says.</summary>
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>Open connections at most (Kestrel's default is unlimited). Exchange needs a handful per mailbox server.</summary>
    public const long MaxConcurrentConnections = 1000;

    /// <summary>How long an idle connection (also one that never sends a request) is kept. Kestrel's default is 130 s.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a client may take to send a request's headers. Kestrel's default is 30 s.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Logging, the default address and Kestrel's limits.</summary>
    public static WebApplicationBuilder AddPushListenerHosting(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPushListenerLogging();
        var configuration = builder.Configuration;
        if (!HasAddress(configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel((context, kestrel) => ApplyLimits(kestrel.Limits, context.Configuration.GetSection("Kestrel:Limits")));
        return builder;
    }

    /// <summary>True when an address is configured the usual ways (which all end up in configuration).</summary>
    internal static bool HasAddress(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["urls"])
        || !string.IsNullOrWhiteSpace(configuration["http_ports"])
        || !string.IsNullOrWhiteSpace(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    /// <summary>The defaults above, then whatever <c>Kestrel:Limits</c> sets.</summary>
    internal static void ApplyLimits(KestrelServerLimits limits, IConfiguration section)
    {
        limits.MaxConcurrentConnections = MaxConcurrentConnections;
        limits.MaxConcurrentUpgradedConnections = MaxConcurrentConnections;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        section.Bind(limits);
    }
}
