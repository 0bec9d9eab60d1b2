using System.Net;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Telemetry;

/// <summary>The Prometheus endpoint, end to end: off by default, on with the documented setting, scraped over HTTP.</summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Metrics_OffByDefault()
    {
        using var factory = new ListenerFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_WhenEnabled_ServesThePushListenerMeterInPrometheusFormat()
    {
        using var factory = new ListenerFactory()
            .With("PushListener:Telemetry:Prometheus:Enabled", "true")
            .With("PushListener:Handlers:log:Enabled", "false");
        using var client = factory.CreateClient();
        using (var push = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 1))))
        {
            Assert.Equal("OK", Soap.StatusOf(await push.Content.ReadAsStringAsync()));
        }

        using var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE pushlistener_push_received_total counter", text, StringComparison.Ordinal);
        Assert.Matches("""pushlistener_push_received_total\{[^}]*outcome="ok"[^}]*soap_version="1\.1"[^}]*\} [1-9]""", text);
        Assert.Contains("pushlistener_push_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("pushlistener_notifications_stored_total", text, StringComparison.Ordinal);
        Assert.Contains("pushlistener_inbox_writer_commit_duration_seconds_bucket{", text, StringComparison.Ordinal);
        // ASP.NET Core's own instrumentation comes along.
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
    }
}
