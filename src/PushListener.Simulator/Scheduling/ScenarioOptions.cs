using PushListener.Simulator.Generation;

namespace PushListener.Simulator.Scheduling;

/// <summary>A scenario: how many subscriptions, how busy their mailboxes are, and how long to play.</summary>
internal sealed record ScenarioOptions
{
    /// <summary>The listener's URL, exactly as a subscription would name it (query string included).</summary>
    public required Uri Url { get; init; }

    /// <summary>Subscriptions played at once.</summary>
    public int Subscriptions { get; init; } = 10;

    /// <summary>Wall-clock length of the run; it ends sooner if every subscription ends.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>StatusFrequency, 1 to 1,440 minutes: the heartbeat interval and the retry budget (Exchange time).</summary>
    public int StatusFrequencyMinutes { get; init; } = 30;

    /// <summary>Mailbox actions per subscription per minute of Exchange time (Poisson arrivals); 0 for heartbeats only.</summary>
    public double ActionsPerMinute { get; init; } = 6;

    /// <summary>Probability that a push is replaced by an error push (ErrorReadEventsFailed), which ends the subscription.</summary>
    public double ErrorPushProbability { get; init; }

    /// <summary>Exchange time per real time: 0.001 makes a 30 s retry wait 30 ms. Request timeouts are not scaled.</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>How pushes look.</summary>
    public GeneratorOptions Generator { get; init; } = new();

    /// <summary>Exchange time scaled to real time.</summary>
    public TimeSpan Scale(TimeSpan exchangeTime) => TimeSpan.FromTicks((long)(exchangeTime.Ticks * TimeScale));

    /// <summary>StatusFrequency as a span of Exchange time.</summary>
    public TimeSpan StatusFrequency => TimeSpan.FromMinutes(StatusFrequencyMinutes);

    /// <summary>Errors, each naming the option.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            yield return "--url must be an absolute http or https URL.";
        }

        if (Subscriptions < 1)
        {
            yield return "--subscriptions must be at least 1.";
        }

        if (Duration <= TimeSpan.Zero)
        {
            yield return "--duration must be positive.";
        }

        if (StatusFrequencyMinutes is < 1 or > 1440)
        {
            yield return "--status-frequency must be between 1 and 1440 minutes, as in a PushSubscriptionRequest.";
        }

        if (ActionsPerMinute < 0)
        {
            yield return "--actions-per-minute must not be negative.";
        }

        if (ErrorPushProbability is < 0 or > 1)
        {
            yield return "--error-push-rate must be between 0 and 1.";
        }

        if (TimeScale is <= 0 or > 1000 || double.IsNaN(TimeScale))
        {
            yield return "--time-scale must be above 0 and at most 1000.";
        }

        if (Generator.MaxEventsPerPush is < 1 or > 200)
        {
            yield return "--max-events-per-push must be between 1 and 200.";
        }

        if (Generator.BurstProbability is < 0 or > 1)
        {
            yield return "--burst-rate must be between 0 and 1.";
        }
    }
}
