using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using PushListener.Telemetry;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Telemetry;

/// <summary>The PushListener meter's instruments, read with MetricCollector from the host's own meter factory.</summary>
public sealed class PushListenerMetricsTests
{
    [Fact]
    public async Task Push_CountsOkByVersion_StoresOne_AndTimesTheAnswer()
    {
        using var factory = Quiet();
        using var client = factory.CreateClient();
        using var pushes = Collector<long>(factory, "pushlistener.push.received");
        using var stored = Collector<long>(factory, "pushlistener.notifications.stored");
        using var duration = Collector<double>(factory, "pushlistener.push.duration");

        using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 1)));

        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        var push = Assert.Single(pushes.GetMeasurementSnapshot());
        Assert.Equal(1, push.Value);
        Assert.Equal("ok", push.Tags["outcome"]);
        Assert.Equal("1.1", push.Tags["soap.version"]);
        Assert.Equal(1, stored.GetMeasurementSnapshot().Sum(m => m.Value));
        var latency = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.InRange(latency.Value, 0, 30);
        Assert.Equal("ok", latency.Tags["outcome"]);
    }

    [Fact]
    public async Task SamePushTwice_SecondIsADuplicate_StoredOnce()
    {
        using var factory = Quiet();
        using var client = factory.CreateClient();
        using var pushes = Collector<long>(factory, "pushlistener.push.received");
        using var stored = Collector<long>(factory, "pushlistener.notifications.stored");
        var body = PushBuilder.NewMail(PushBuilder.SubscriptionId(2), 1);

        using (await client.SendAsync(Soap.Post(body)))
        {
        }

        using var again = await client.SendAsync(Soap.Post(body));

        Assert.Equal("OK", Soap.StatusOf(await again.Content.ReadAsStringAsync()));
        Assert.Equal(["ok", "duplicate"], pushes.GetMeasurementSnapshot().Select(m => (string)m.Tags["outcome"]!));
        Assert.Equal(1, stored.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task MalformedPush_IsAFault_NothingStored()
    {
        using var factory = Quiet();
        using var client = factory.CreateClient();
        using var pushes = Collector<long>(factory, "pushlistener.push.received");
        using var stored = Collector<long>(factory, "pushlistener.notifications.stored");

        using var response = await client.SendAsync(Soap.Post(Encoding.UTF8.GetBytes("<soap11:Envelope xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap11:Body>")));

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
        var push = Assert.Single(pushes.GetMeasurementSnapshot());
        Assert.Equal("fault", push.Tags["outcome"]);
        Assert.Equal("1.1", push.Tags["soap.version"]);
        Assert.Empty(stored.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task UnsupportedMediaType_IsRefused()
    {
        using var factory = Quiet();
        using var client = factory.CreateClient();
        using var pushes = Collector<long>(factory, "pushlistener.push.received");

        using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(3), 1), contentType: "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var push = Assert.Single(pushes.GetMeasurementSnapshot());
        Assert.Equal("refused", push.Tags["outcome"]);
        Assert.Equal("unknown", push.Tags["soap.version"]);
    }

    [Fact]
    public async Task FailingHandler_CountsFailuresByHandlerAndType_RetriesAndTheDeadLetter()
    {
        var failing = new RecordingHandler("hook", _ => throw new HttpRequestException("target down"));
        using var factory = Quiet()
            .With("PushListener:Inbox:MaxAttempts", "2")
            .With("PushListener:Inbox:RetryDelay", "00:00:00.010")
            .With("PushListener:Inbox:MaxRetryDelay", "00:00:00.020")
            .WithServices(s => s.AddNotificationHandler(failing, o => o.Name = "hook"));
        using var client = factory.CreateClient();
        using var failures = Collector<long>(factory, "pushlistener.handler.failures");
        using var durations = Collector<double>(factory, "pushlistener.handler.duration");
        using var retries = Collector<long>(factory, "pushlistener.delivery.retries");
        using var dead = Collector<long>(factory, "pushlistener.delivery.dead_lettered");

        using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(4), 1)));
        await dead.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));

        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        var hookFailures = failures.GetMeasurementSnapshot().Where(m => (string?)m.Tags["handler"] == "hook").ToList();
        Assert.Equal(2, hookFailures.Count);
        Assert.All(hookFailures, m => Assert.Equal("HttpRequestException", m.Tags["error.type"]));
        Assert.Equal(2, durations.GetMeasurementSnapshot().Count(m => (string?)m.Tags["handler"] == "hook" && (string?)m.Tags["outcome"] == "failure"));
        Assert.Equal(1, retries.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, dead.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task InboxGauges_ReportPendingAndDeadLetteredFromTheSampler()
    {
        var failing = new RecordingHandler("hook", _ => throw new HttpRequestException("target down"));
        using var factory = Quiet()
            .With("PushListener:Inbox:MaxAttempts", "1")
            .WithServices(s => s.AddNotificationHandler(failing, o => o.Name = "hook"));
        using var client = factory.CreateClient();
        using var entries = Collector<long>(factory, "pushlistener.inbox.entries");
        using var writerBatches = Collector<int>(factory, "pushlistener.inbox.writer.batch_size");

        using (await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(5), 1))))
        {
        }

        var store = factory.Services.GetRequiredService<PushListener.Inbox.IEntryLog>();
        await Eventually.TrueAsync(async () => (await store.GetStatsAsync(CancellationToken.None)).DeadLettered == 1);
        await factory.Services.GetRequiredService<InboxStatsSampler>().SampleAsync(CancellationToken.None);
        entries.RecordObservableInstruments();

        var snapshot = entries.GetMeasurementSnapshot();
        Assert.Equal(1, snapshot.Last(m => (string?)m.Tags["state"] == "dead_lettered").Value);
        Assert.Equal(0, snapshot.Last(m => (string?)m.Tags["state"] == "pending").Value);
        Assert.NotEmpty(writerBatches.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task SubscriptionGauge_CountsEachStateFromTheRegistry()
    {
        using var factory = Quiet();
        using var client = factory.CreateClient();
        using var subscriptions = Collector<long>(factory, "pushlistener.subscriptions");
        foreach (var body in new[] { PushBuilder.NewMail(PushBuilder.SubscriptionId(6), 1), PushBuilder.NewMail(PushBuilder.SubscriptionId(7), 1) })
        {
            using var response = await client.SendAsync(Soap.Post(body));
            Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        }

        await factory.Services.GetRequiredService<InboxStatsSampler>().SampleAsync(CancellationToken.None);
        subscriptions.RecordObservableInstruments();

        var latest = subscriptions.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["state"]!).ToDictionary(g => g.Key, g => g.Last().Value);
        Assert.Equal(["active", "failed", "silent", "unsubscribed", "unsubscribing"], latest.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, latest["active"]);
        Assert.Equal(0, latest["failed"]);
    }

    private static ListenerFactory Quiet() => new ListenerFactory().With("PushListener:Handlers:log:Enabled", "false");

    private static MetricCollector<T> Collector<T>(ListenerFactory factory, string instrument)
        where T : struct =>
        new(factory.Services.GetRequiredService<IMeterFactory>(), PushListenerMetrics.MeterName, instrument);
}
