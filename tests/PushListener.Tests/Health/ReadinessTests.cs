using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PushListener.Health;
using PushListener.Inbox;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Health;

public sealed class ReadinessTests
{
    [Fact]
    public async Task FullStore_NotReady_ThenReadyAgainOnceItHasRoom()
    {
        using var factory = new ListenerFactory()
            .With("PushListener:Inbox:MaxSizeMegabytes", "1")
            .With("PushListener:Health:CacheDuration", "00:00:00")
            .With("PushListener:Handlers:log:Enabled", "false");
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);

        // Fill the store until it refuses a push (a Server fault: Exchange retries).
        var refused = false;
        for (var i = 1; i <= 40 && !refused; i++)
        {
            using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(1), i, padding: 100_000)));
            refused = response.StatusCode == HttpStatusCode.InternalServerError;
        }

        Assert.True(refused, "the 1 MB store never filled");
        using (var ready = await client.GetAsync("/healthz/ready"))
        {
            var report = await ready.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"inbox-writable\": {\n      \"status\": \"Unhealthy\"", report, StringComparison.Ordinal);
        }

        Assert.Equal("Unhealthy", await (await client.GetAsync("/healthz")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);

        // Room again: processed entries are deleted (what retention does).
        var store = factory.Services.GetRequiredService<IEntryLog>();
        await Eventually.TrueAsync(async () => (await store.GetStatsAsync(CancellationToken.None)) is { Pending: 0, InFlight: 0 });
        await store.DeleteProcessedAsync(DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);
        using var after = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(2), 1, padding: 100_000)));
        Assert.Equal("OK", Soap.StatusOf(await after.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task LowDisk_NotReady_NamingTheSetting_ThenReady()
    {
        var disk = new SettableDisk { Bytes = 10L * 1024 * 1024 };
        using var factory = new ListenerFactory()
            .With("PushListener:Health:MinFreeDiskMegabytes", "64")
            .WithServices(s => s.AddSingleton<IFreeDiskSpace>(disk));
        using var client = factory.CreateClient();

        using var low = await client.GetAsync("/healthz/ready");
        var report = await low.Content.ReadAsStringAsync();
        disk.Bytes = 65L * 1024 * 1024;
        using var enough = await client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, low.StatusCode);
        Assert.Contains("10 MB free", report, StringComparison.Ordinal);
        Assert.Contains("PushListener:Health:MinFreeDiskMegabytes (64)", report, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, enough.StatusCode);
    }

    [Fact]
    public async Task StuckDelivery_NotReadyOncePendingIsOlderThanTheLimit()
    {
        var release = new TaskCompletionSource();
        var blocking = new RecordingHandler("slow", async c => { await release.Task.WaitAsync(c.CancellationToken); return HandlerResult.Continue; });
        using var factory = new ListenerFactory()
            .With("PushListener:Health:MaxPendingAge", "00:00:00.200")
            .With("PushListener:Health:CacheDuration", "00:00:00")
            .With("PushListener:Handlers:log:Enabled", "false")
            .WithServices(s => s.AddNotificationHandler(blocking, o => (o.Name, o.Timeout) = ("slow", TimeSpan.FromMinutes(1))));
        using var client = factory.CreateClient();

        using (await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(3), 1))))
        {
        }

        await Eventually.TrueAsync(async () => (await client.GetAsync("/healthz/ready")).StatusCode == HttpStatusCode.ServiceUnavailable);
        var report = await (await client.GetAsync("/healthz/ready")).Content.ReadAsStringAsync();
        release.SetResult();
        await Eventually.TrueAsync(async () => (await client.GetAsync("/healthz/ready")).StatusCode == HttpStatusCode.OK);

        Assert.Contains("PushListener:Health:MaxPendingAge", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/healthz/live")]
    [InlineData("/healthz/ready")]
    public async Task HealthEndpoints_AnswerGetAndHead_RefuseOtherMethods(string path)
    {
        using var factory = new ListenerFactory();
        using var client = factory.CreateClient();

        using var get = await client.GetAsync(path);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        using var post = await client.PostAsync(path, null);
        using var delete = await client.DeleteAsync(path);
        using var trace = await client.SendAsync(new HttpRequestMessage(HttpMethod.Trace, path));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, trace.StatusCode);
    }

    private sealed class SettableDisk : IFreeDiskSpace
    {
        public long Bytes { get; set; }

        public long AvailableBytes(string path) => Bytes;
    }
}
