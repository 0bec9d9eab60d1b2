using PushListener.Protocol;
using PushListener.Simulator.Generation;
using PushListener.Simulator.Reporting;
using PushListener.Simulator.Scheduling;
using PushListener.Simulator.Sending;
using PushListener.Simulator.Tests.Infrastructure;

namespace PushListener.Simulator.Tests;

/// <summary>Scenarios against the real PushListener host in memory (WebApplicationFactory's TestServer).</summary>
public sealed class RealListenerScenarioTests
{
    private static ScenarioOptions Scenario(Uri url, int subscriptions, SoapVersion soap = SoapVersion.Soap11) => new()
    {
        Url = url,
        Subscriptions = subscriptions,
        Duration = TimeSpan.FromSeconds(1.5),
        StatusFrequencyMinutes = 1,
        ActionsPerMinute = 6,
        TimeScale = 0.01, // a mailbox action every 100 ms on average, a heartbeat after 600 ms of quiet
        Generator = new GeneratorOptions { Seed = 21, SoapVersion = soap, BurstProbability = 0.2 },
    };

    private static Task<ScenarioResult> RunAsync(RealListener listener, ScenarioOptions options)
    {
        var sender = new ExchangeSender(listener.CreateClient(), TimeSpan.FromSeconds(10), TimeProvider.System);
        return new ScenarioRunner(sender).RunAsync(options, new ScenarioStats(), CancellationToken.None);
    }

    [Fact]
    public async Task Run_RealListener_AcknowledgesEveryPushAndSeesUnbrokenChains()
    {
        var recorder = new NotificationRecorder();
        await using var listener = new RealListener().WithServices(s => s.AddNotificationHandler(recorder, o => o.Name = "recorder"));

        // Long enough for plenty of events on a busy machine: the first pushes pay the host's warm-up.
        var result = await RunAsync(listener, Scenario(listener.EndpointUrl, subscriptions: 5) with { Duration = TimeSpan.FromSeconds(3) });

        var summary = result.Summary;
        Assert.Equal((0, 0, 0, 5L), (summary.Retried, summary.Dead, summary.Failures.Total, summary.Active));
        Assert.Equal(summary.Sent, summary.Acknowledged);
        Assert.True(summary.Events > 20 && summary.MoreEventsPushes > 0, $"{summary.Events} events, {summary.MoreEventsPushes} MoreEvents pushes");

        // The listener's handlers saw each subscription's notifications in order, every PreviousWatermark matching.
        await Eventually.TrueAsync(() => recorder.Seen.Count >= summary.Acknowledged, "the inbox dispatches every notification");
        foreach (var subscription in result.Subscriptions)
        {
            var chain = recorder.Seen.Where(n => n.SubscriptionId == subscription.SubscriptionId).ToList();
            Assert.Equal(subscription.Pushes, chain.Count);
            for (var i = 1; i < chain.Count; i++)
            {
                Assert.Equal(chain[i - 1].Last, chain[i].Previous);
            }

            Assert.Equal(subscription.LastWatermark, chain[^1].Last);
        }
    }

    [Fact]
    public async Task Run_RealListenerSoap12_AcknowledgesEveryPush()
    {
        await using var listener = new RealListener();

        var result = await RunAsync(listener, Scenario(listener.EndpointUrl, subscriptions: 3, SoapVersion.Soap12) with { Duration = TimeSpan.FromSeconds(0.5) });

        Assert.True(result.Summary.Sent >= 3);
        Assert.Equal((result.Summary.Sent, 0L), (result.Summary.Acknowledged, result.Summary.Failures.Total));
    }

    [Fact]
    public async Task Run_RealListenerWithUnsubscribeRule_EndsEverySubscription()
    {
        await using var listener = new RealListener()
            .With("PushListener:Handlers:kill:Type", "UnsubscribeRule")
            .With("PushListener:Handlers:kill:Settings:SubscriptionIds:0", "*");

        var result = await RunAsync(listener, Scenario(listener.EndpointUrl, subscriptions: 4));

        Assert.Equal((4, 4, 0), (result.Summary.Unsubscribed, result.Summary.Sent, result.Summary.Active));
        Assert.All(result.Subscriptions, s => Assert.Equal(SubscriptionEnd.Unsubscribed, s.End));
    }

    [Fact]
    public async Task Run_RealListenerAndErrorPushes_TakesThemAndTheSubscriptionsEnd()
    {
        await using var listener = new RealListener();

        // The run ends as soon as every subscription has ended; the long duration only keeps a slow first heartbeat (a busy
        // machine, the host warming up) from ending the run before a subscription sends its error push.
        var result = await RunAsync(listener, Scenario(listener.EndpointUrl, subscriptions: 3) with { ErrorPushProbability = 1, Duration = TimeSpan.FromMinutes(1) });

        Assert.Equal((3, 3, 0L), (result.Summary.EndedByErrorPush, result.Summary.ErrorPushes, result.Summary.Failures.Total));
    }
}
