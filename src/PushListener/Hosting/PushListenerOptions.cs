using PushListener.Pipeline;

namespace PushListener.Hosting;

/// <summary>The <c>PushListener</c> configuration section.</summary>
public sealed class PushListenerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener";

    /// <summary>The SendNotification endpoint.</summary>
    public EndpointOptions Endpoint { get; set; } = new();

    /// <summary>Honouring <c>X-Forwarded-*</c> headers behind a reverse proxy.</summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>Handler entries by name: built-in handler types configured from <c>appsettings.json</c>.</summary>
    public Dictionary<string, HandlerEntryOptions> Handlers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The <c>PushListener:Endpoint</c> section.</summary>
public sealed class EndpointOptions
{
    /// <summary>Path Exchange posts to. Default <c>/ews/notifications</c>.</summary>
    public string Path { get; set; } = "/ews/notifications";

    /// <summary>Largest request body accepted, in bytes; larger gets HTTP 413. Default 1 MiB (a 50-event push is about 25 KB).</summary>
    public int MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Most <c>SendNotificationResponseMessage</c> elements in one push; more gets a Client fault. Exchange sends a few.
    /// Default 100.
    /// </summary>
    public int MaxMessagesPerPush { get; set; } = 100;

    /// <summary>Serve the WSDL and schemas at <c>GET {Path}?wsdl</c>. Default <see langword="true"/>.</summary>
    public bool ServeContract { get; set; } = true;
}

/// <summary>The <c>PushListener:ForwardedHeaders</c> section.</summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Apply <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> from trusted proxies. Default <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Addresses of trusted proxies (loopback is always trusted).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>CIDR ranges of trusted proxies, for example <c>10.0.0.0/8</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];
}
