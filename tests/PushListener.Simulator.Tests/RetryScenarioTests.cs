using Microsoft.AspNetCore.Http;
using PushListener.Simulator.Generation;
using PushListener.Simulator.Reporting;
using PushListener.Simulator.Scheduling;
using PushListener.Simulator.Sending;
using PushListener.Simulator.Tests.Infrastructure;

namespace PushListener.Simulator.Tests;

/// <summary>
/// Scenarios against fake listeners on loopback that refuse in various ways, with Exchange time compressed 1000 times:
/// the 30 s retry wait is 30 ms and StatusFrequency 10 minutes is a 600 ms budget. Nothing is asserted on how long
/// anything took (a loaded machine blurs that): the waits are read from the timers the simulator asked for, and runs
/// last until every subscription ended or the test saw what it waits for, never for a fixed time.
/// </summary>
public sealed class RetryScenarioTests
{
    private const double TimeScale = 0.001;

    // Longer than any test: a run ends because its subscriptions ended (or the test stopped it), never by its duration.
    private static readonly TimeSpan Endless = TimeSpan.FromHours(1);

    // Only against a hang: a run that works ends in well under a second.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static async Task<ScenarioResult> RunAsync(Uri url, int subscriptions, int statusFrequencyMinutes, TimeSpan? timeout = null, TimeProvider? time = null, double actionsPerMinute = 0)
    {
        using var client = ExchangeSender.CreateHttpClient();
        var sender = new ExchangeSender(client, timeout ?? TimeSpan.FromSeconds(5), time ?? TimeProvider.System);
        var options = new ScenarioOptions
        {
            Url = url,
            Subscriptions = subscriptions,
            Duration = Endless,
            StatusFrequencyMinutes = statusFrequencyMinutes,
            ActionsPerMinute = actionsPerMinute,
            TimeScale = TimeScale,
            Generator = new GeneratorOptions { Seed = 11 },
        };
        return await new ScenarioRunner(sender).RunAsync(options, new ScenarioStats(), CancellationToken.None).WaitAsync(HangGuard);
    }

    /// <summary>The waits the simulator asked for, shorter than a second (the request timeout and run duration are the long timers).</summary>
    private static TimeSpan[] ShortWaits(RecordingTimeProvider time) => [.. time.Timers.Where(t => t < TimeSpan.FromSeconds(1)).Order()];

    [Fact]
    public async Task Run_ListenerAnswers500_RetriesOnTheLadderThenTheSubscriptionIsDead()
    {
        await using var listener = await LoopbackListener.StartAsync((_, c) => Answers.ServerError(c));
        var time = new RecordingTimeProvider();

        var result = await RunAsync(listener.Url, subscriptions: 2, statusFrequencyMinutes: 10, time: time);

        // StatusFrequency 10: the first push, at once, then after 30, 60, 120, 240 s; 480 s more would pass 600 s.
        var summary = result.Summary;
        Assert.All(result.Subscriptions, s => Assert.Equal(SubscriptionEnd.Dead, s.End));
        Assert.Equal((2, 2, 12, 10, 12, 0), (summary.Dead, summary.Sent, summary.Attempts, summary.Retried, summary.Failures.HttpError, summary.Acknowledged));

        // The waits the simulator asked for, exactly.
        var waits = ShortWaits(time);
        TimeSpan[] ladder = [TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(120), TimeSpan.FromMilliseconds(240)];
        Assert.Equal(ladder.Concat(ladder).Order(), waits);

        foreach (var subscription in result.Subscriptions)
        {
            var arrivals = listener.Of(subscription.SubscriptionId);
            Assert.Equal(6, arrivals.Count);
            Assert.All(arrivals, a => Assert.Equal(arrivals[0].Body, a.Body)); // a retry is the same push, byte for byte

            // The ladder itself is asserted exactly above, on the timers the simulator asked for: the arrival times seen
            // by the listener on a loaded machine cannot tell a few milliseconds apart.
        }
    }

    [Fact]
    public async Task Run_ListenerAnswersSoapFaults_RetriesThenDead()
    {
        await using var listener = await LoopbackListener.StartAsync((_, c) => Answers.Fault(c));
        var time = new RecordingTimeProvider();

        var result = await RunAsync(listener.Url, subscriptions: 3, statusFrequencyMinutes: 1, time: time);

        // StatusFrequency 1: at once, immediately again, after 30 s; 60 s more would make 90 s.
        Assert.Equal((3, 9, 6, 9), (result.Summary.Dead, result.Summary.Attempts, result.Summary.Retried, result.Summary.Failures.Fault));
        Assert.Equal([TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(30)], ShortWaits(time));
        foreach (var subscription in result.Subscriptions)
        {
            Assert.Equal(3, listener.Of(subscription.SubscriptionId).Count);
        }
    }

    [Fact]
    public async Task Run_ListenerNeverAnswers_TimesOutThenDead()
    {
        await using var listener = await LoopbackListener.StartAsync((_, c) => Answers.Never(c));

        var result = await RunAsync(listener.Url, subscriptions: 2, statusFrequencyMinutes: 1, timeout: TimeSpan.FromMilliseconds(150));

        Assert.Equal((2, 6, 6, 0L), (result.Summary.Dead, result.Summary.Attempts, result.Summary.Failures.Timeout, result.Summary.LatencyMs.Count));
    }

    [Fact]
    public async Task Run_ListenerAnswersUnsubscribe_EndsEverySubscriptionAfterOnePush()
    {
        await using var listener = await LoopbackListener.StartAsync((_, c) => Answers.Unsubscribe(c));

        var result = await RunAsync(listener.Url, subscriptions: 4, statusFrequencyMinutes: 1, actionsPerMinute: 600);

        Assert.Equal((4, 4, 4, 0, 0), (result.Summary.Unsubscribed, result.Summary.Sent, result.Summary.Acknowledged, result.Summary.Retried, result.Summary.Active));
        Assert.All(result.Subscriptions, s => Assert.Equal(SubscriptionEnd.Unsubscribed, s.End));
        Assert.Equal(4, listener.Arrivals.Count);
    }

    [Fact]
    public async Task Run_ListenerFailsTwiceThenRecovers_ResendsTheSameBodyAndTheChainGoesOn()
    {
        // Each subscription's first two POSTs fail (an HTTP 500, then a SOAP fault); everything after is taken.
        await using var listener = await LoopbackListener.StartAsync((arrival, c) => arrival.Index switch
        {
            0 => Answers.ServerError(c),
            1 => Answers.Fault(c),
            _ => Answers.Ok(c),
        });

        using var client = ExchangeSender.CreateHttpClient();
        var time = new RecordingTimeProvider();
        var options = new ScenarioOptions
        {
            Url = listener.Url,
            Subscriptions = 3,
            Duration = Endless,
            StatusFrequencyMinutes = 1,
            ActionsPerMinute = 6,
            TimeScale = 0.01, // actions every 100 ms, heartbeats every 600 ms, retry wait 300 ms
            Generator = new GeneratorOptions { Seed = 12 },
        };

        // The run goes on until each subscription has had four pushes taken after its two failures, then it is stopped.
        using var stop = new CancellationTokenSource();
        var run = new ScenarioRunner(new ExchangeSender(client, TimeSpan.FromSeconds(5), time)).RunAsync(options, new ScenarioStats(), stop.Token);
        await Eventually.TrueAsync(
            () => listener.Arrivals.GroupBy(a => a.SubscriptionId).Count(g => g.Count() >= 6) == 3,
            "every subscription had four pushes taken after recovering",
            HangGuard);
        await stop.CancelAsync();
        var result = await run.WaitAsync(HangGuard);

        Assert.Equal((0, 6, 3), (result.Summary.Dead, result.Summary.Retried, result.Summary.Active));
        // Each subscription's one retry after a wait (the first retry is immediate): 30 s of Exchange time, exactly.
        Assert.Equal(3, time.Timers.Count(t => t == TimeSpan.FromMilliseconds(300)));
        foreach (var subscription in result.Subscriptions)
        {
            var arrivals = listener.Of(subscription.SubscriptionId);
            Assert.Equal(arrivals[0].Body, arrivals[1].Body);
            Assert.Equal(arrivals[0].Body, arrivals[2].Body);
            var distinct = arrivals.Skip(2).Select(a => a.Request!.Messages[0].Notification!).ToList();
            Assert.True(distinct.Count > 2, "the subscription went on after recovering");
            for (var i = 1; i < distinct.Count; i++)
            {
                Assert.Equal(distinct[i - 1].LastWatermark, distinct[i].PreviousWatermark);
            }
        }
    }

    [Fact]
    public async Task Run_ErrorPushes_EndEachSubscriptionWithAnErrorPush()
    {
        await using var listener = await LoopbackListener.StartAsync((_, c) => Answers.Ok(c));
        using var client = ExchangeSender.CreateHttpClient();
        var options = new ScenarioOptions
        {
            Url = listener.Url,
            Subscriptions = 3,
            Duration = Endless,
            StatusFrequencyMinutes = 1,
            ErrorPushProbability = 1,
            TimeScale = TimeScale,
        };

        var result = await new ScenarioRunner(new ExchangeSender(client, TimeSpan.FromSeconds(5), TimeProvider.System))
            .RunAsync(options, new ScenarioStats(), CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal((3, 3, 6), (result.Summary.EndedByErrorPush, result.Summary.ErrorPushes, result.Summary.Acknowledged));
        foreach (var subscription in result.Subscriptions)
        {
            var last = listener.Of(subscription.SubscriptionId)[^1].Request!.Messages.Single();
            Assert.True(last.IsError);
            Assert.Equal("ErrorReadEventsFailed", last.ResponseCode);
            Assert.Equal(subscription.LastWatermark, last.MessageXmlValues["LastWatermark"]);
        }
    }
}
