using PushListener.Simulator.Generation;
using PushListener.Simulator.Reporting;
using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Scheduling;

/// <summary>A finished run: the summary and every subscription's end.</summary>
internal sealed record ScenarioResult(ScenarioSummary Summary, IReadOnlyList<SubscriptionResult> Subscriptions);

/// <summary>Plays a scenario: all subscriptions at once, for the duration or until every one has ended.</summary>
internal sealed class ScenarioRunner(ExchangeSender sender)
{
    /// <summary>
    /// Runs <paramref name="options"/>, counting into <paramref name="stats"/> (which a display may read meanwhile).
    /// Cancelling <paramref name="cancellationToken"/> stops early and still returns what happened.
    /// </summary>
    public async Task<ScenarioResult> RunAsync(ScenarioOptions options, ScenarioStats stats, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stats);
        var time = sender.Time;
        var generator = new PushGenerator(options.Generator);
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(options.Duration, time);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);

        var simulations = new SubscriptionSimulation[options.Subscriptions];
        for (var i = 0; i < simulations.Length; i++)
        {
            // Timing randomness is seeded apart from content, so changing the rate keeps the same ids.
            var random = new Random(unchecked((options.Generator.Seed * 7919) + (i * 31) + 17));
            simulations[i] = new SubscriptionSimulation(generator.CreateSubscription(i), options, sender, stats, random);
        }

        await Task.WhenAll(simulations.Select(s => Task.Run(() => s.RunAsync(stopping.Token, cancellationToken), CancellationToken.None)));
        var summary = stats.Summarize(options, time.GetElapsedTime(started));
        return new ScenarioResult(summary, [.. simulations.Select(s => s.Result)]);
    }
}
