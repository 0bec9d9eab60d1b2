using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using PushListener.Storage.PostgreSql;
using PushListener.Tests.Infrastructure;
using static PushListener.Tests.Feeds.FeedTestSupport;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>
/// Long-polls and event streams waiting on one instance, woken by what happens on another: a release ends them, and an
/// append reaches them even while their instance's notification session is down. The waiting instance's clock is fake
/// and never reaches the waits' ends, so a waiter that ends was woken, not timed out.
/// </summary>
public sealed class FeedWaitersAcrossInstancesTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    // Unlike any other timer the host creates, so that a timer of this length is the poll's (or the stream's) wait.
    private static readonly TimeSpan PollWait = TimeSpan.FromSeconds(29);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(23);

    [Fact]
    public async Task FeedReleasedOnOneInstance_EndsTheLongPollAndTheStreamWaitingOnTheOther()
    {
        var connection = await server.CreateDatabaseAsync();
        var clockB = new TimerWatchingTimeProvider();
        await using var a = Instance(connection);
        await using var b = Instance(connection, clockB);
        await ListeningAsync(a, b);
        using var adminA = AdminClient(a);
        var feed = await RegisterAsync(adminA, new { session = "crm" });
        using var consumerB = Consumer(b, feed);
        await Eventually.TrueAsync(async () => (await consumerB.GetAsync($"/api/feeds/{feed.Handle}")).StatusCode == HttpStatusCode.OK);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var poll = consumerB.GetAsync($"/api/feeds/{feed.Handle}/notifications?wait={PollWait.TotalSeconds}", bound.Token);
        await clockB.TimerCreated(PollWait).WaitAsync(bound.Token);
        using var stream = await consumerB.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/feeds/{feed.Handle}/stream"), HttpCompletionOption.ResponseHeadersRead, bound.Token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var events = new StreamReader(await stream.Content.ReadAsStreamAsync(bound.Token));
        await clockB.TimerCreated(Heartbeat).WaitAsync(bound.Token);

        using (var release = await adminA.DeleteAsync(new Uri($"/api/feeds/{feed.Handle}", UriKind.Relative), bound.Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        }

        using (var ended = await poll)
        {
            Assert.Equal(HttpStatusCode.NotFound, ended.StatusCode);
        }

        Assert.Equal($"event: released", await ReadEventLineAsync(events, bound.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, (await consumerB.GetAsync($"/api/feeds/{feed.Handle}", bound.Token)).StatusCode);
    }

    [Fact]
    public async Task NotificationSessionDown_ALongPollStillGetsWhatAnotherInstanceAppended_ByPollingEverySecond()
    {
        var connection = await server.CreateDatabaseAsync();
        var clockB = new TimerWatchingTimeProvider();
        var applicationB = "feed-poll-b-" + Guid.NewGuid().ToString("N")[..8];
        await using var a = Instance(connection);
        await using var b = Instance(new NpgsqlConnectionStringBuilder(connection) { ApplicationName = applicationB }.ConnectionString, clockB)
            // B's clock never reaches a reconnection attempt: its notification session stays down for the whole test.
            .With("PushListener:Storage:PostgreSql:ConnectionCheckInterval", "00:05:00");
        await ListeningAsync(a, b);
        using var adminA = AdminClient(a);
        var subscription = PushBuilder.SubscriptionId(11);
        var feed = await RegisterAsync(adminA, new { scope = new { subscriptionIds = new[] { subscription } } });
        using var consumerB = Consumer(b, feed);
        await Eventually.TrueAsync(async () => (await consumerB.GetAsync($"/api/feeds/{feed.Handle}")).StatusCode == HttpStatusCode.OK);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var poll = FetchAsync(consumerB, feed.Handle, $"wait={PollWait.TotalSeconds}");
        await clockB.TimerCreated(PollWait).WaitAsync(bound.Token);

        await TerminateListeningSessionAsync(connection, applicationB);
        var notifierB = b.Services.GetRequiredService<PostgreSqlNotifier>();
        await Eventually.TrueAsync(() => !notifierB.IsListening);
        await PostAsync(adminA, PushBuilder.NewMail(subscription, 1));
        await AppendedAsync(adminA, feed.Handle, 1);
        Assert.False(poll.IsCompleted);

        // One second on B's clock: a waiter looks at the store again, as the health check's Degraded state promises.
        clockB.Advance(PostgreSqlFeedWakeup.DegradedPollInterval);

        var batch = await poll.WaitAsync(bound.Token);
        Assert.Equal(1, Assert.Single(batch.Entries).MailSequence);
        Assert.False(notifierB.IsListening);
    }

    private static async Task<string> ReadEventLineAsync(StreamReader events, CancellationToken cancellationToken)
    {
        while (await events.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                return line;
            }
        }

        return "(the stream ended without an event)";
    }

    // Only the session waiting for notifications (its last statement was a LISTEN): the pool's sessions stay up.
    private static async Task TerminateListeningSessionAsync(string connection, string applicationName)
    {
        await using var admin = new NpgsqlConnection(connection);
        await admin.OpenAsync();
        await using var terminate = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN %'",
            admin)
        {
            Parameters = { new() { Value = applicationName } },
        };
        Assert.Equal(1, (int)(await terminate.ExecuteScalarAsync())!);
    }

    private static async Task ListeningAsync(params ListenerFactory[] instances)
    {
        foreach (var instance in instances)
        {
            _ = instance.CreateClient();
            await instance.Services.GetRequiredService<PostgreSqlNotifier>().Listening.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static ListenerFactory Instance(string connection, TimeProvider? clock = null)
    {
        var factory = Factory()
            .With("PushListener:Storage:Provider", "PostgreSql")
            .With("ConnectionStrings:PushListener", connection)
            .With("PushListener:Feeds:StreamHeartbeat", "00:00:23");
        return clock is null ? factory : factory.WithServices(s => s.Replace(ServiceDescriptor.Singleton(clock)));
    }
}
