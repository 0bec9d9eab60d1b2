using PushListener.Hosting;

namespace PushListener.Telemetry;

/// <summary>The <c>PushListener:Telemetry</c> section: metrics and traces through OpenTelemetry.</summary>
public sealed class TelemetryOptions : IValidatedOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener:Telemetry";

    /// <summary>The service name on exported metrics and traces. Default <c>PushListener</c>.</summary>
    public string ServiceName { get; set; } = "PushListener";

    /// <summary>How often the inbox depth, subscription and feed gauges are read from the store. Default 15 seconds.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>OTLP export of metrics and traces.</summary>
    public OtlpSettings Otlp { get; set; } = new();

    /// <summary>The Prometheus scrape endpoint.</summary>
    public PrometheusSettings Prometheus { get; set; } = new();

    /// <summary>Traces (the <c>PushListener</c> activity source, ASP.NET Core and HttpClient), exported over OTLP.</summary>
    public TracingSettings Tracing { get; set; } = new();

    /// <summary>True when an OTLP endpoint is set here or in <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    internal bool OtlpConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(Otlp.Endpoint) || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    IEnumerable<string> IValidatedOptions.Validate()
    {
        if (string.IsNullOrWhiteSpace(ServiceName))
        {
            yield return $"{SectionName}:ServiceName must not be empty.";
        }

        if (SampleInterval < TimeSpan.FromSeconds(1) || SampleInterval > TimeSpan.FromHours(1))
        {
            yield return $"{SectionName}:SampleInterval must be between 00:00:01 and 01:00:00 (got {SampleInterval}).";
        }

        if (!string.IsNullOrWhiteSpace(Otlp.Endpoint) && (!Uri.TryCreate(Otlp.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return $"{SectionName}:Otlp:Endpoint must be an absolute http or https URL such as http://localhost:4317 (got '{Otlp.Endpoint}').";
        }

        if (!Enum.IsDefined(Otlp.Protocol))
        {
            yield return $"{SectionName}:Otlp:Protocol must be Grpc or HttpProtobuf (got '{Otlp.Protocol}').";
        }

        if (string.IsNullOrWhiteSpace(Prometheus.Path) || !Prometheus.Path.StartsWith('/'))
        {
            yield return $"{SectionName}:Prometheus:Path must be an absolute path such as /metrics (got '{Prometheus.Path}').";
        }

        if (Tracing.SamplingRatio is < 0 or > 1)
        {
            yield return $"{SectionName}:Tracing:SamplingRatio must be between 0 and 1 (got {Tracing.SamplingRatio}).";
        }
    }
}

/// <summary>The <c>PushListener:Telemetry:Otlp</c> section.</summary>
public sealed class OtlpSettings
{
    /// <summary>The collector's URL, for example <c>http://localhost:4317</c>; unset (default) exports nothing. <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> works too.</summary>
    public string? Endpoint { get; set; }

    /// <summary><see cref="OtlpTransport.Grpc"/> (default, port 4317) or <see cref="OtlpTransport.HttpProtobuf"/> (port 4318).</summary>
    public OtlpTransport Protocol { get; set; } = OtlpTransport.Grpc;
}

/// <summary>The OTLP transport.</summary>
public enum OtlpTransport
{
    /// <summary>OTLP over gRPC.</summary>
    Grpc,

    /// <summary>OTLP over HTTP with protobuf bodies.</summary>
    HttpProtobuf,
}

/// <summary>The <c>PushListener:Telemetry:Prometheus</c> section.</summary>
public sealed class PrometheusSettings
{
    /// <summary>Serve the metrics in Prometheus' text format. Default <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The scrape path. Default <c>/metrics</c>.</summary>
    public string Path { get; set; } = "/metrics";
}

/// <summary>The <c>PushListener:Telemetry:Tracing</c> section.</summary>
public sealed class TracingSettings
{
    /// <summary>Record traces when an OTLP endpoint is set. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The share of pushes traced, each with its delivery and handler runs (parent-based: a traced caller's decision
    /// wins). Default 0.1: tracing every push costs about a fifth of the CPU a push takes at full load (docs/benchmarks.md);
    /// 1 traces all.
    /// </summary>
    public double SamplingRatio { get; set; } = 0.1;
}
