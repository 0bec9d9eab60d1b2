namespace PushListener.Simulator.Exchange;

/// <summary>How the fake Exchange behaves.</summary>
internal sealed record FakeExchangeOptions
{
    /// <summary>Where the fake listens; EWS is at <c>/EWS/Exchange.asmx</c>.</summary>
    public Uri Listen { get; init; } = new("http://127.0.0.1:5090");

    /// <summary>Basic credentials accepted (user name to password). With no users, clients and tokens, every request is let in.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Bearer tokens accepted as they are (besides those the token endpoint issues).</summary>
    public IReadOnlyCollection<string> BearerTokens { get; init; } = [];

    /// <summary>Apps the token endpoint (<c>/{tenant}/oauth2/v2.0/token</c>) issues tokens to: client id to client secret.</summary>
    public IReadOnlyDictionary<string, string> Clients { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Exchange time per real time for heartbeats and the retry ladder: 0.01 makes StatusFrequency 1 a 600 ms heartbeat.</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>Mailbox actions per minute of Exchange time, spread over the mailboxes subscribed to (each a few events); 0: only on request.</summary>
    public double ActionsPerMinute { get; init; }

    /// <summary>Active subscriptions per mailbox before <c>ErrorExceededSubscriptionCount</c> (Exchange Online: 20).</summary>
    public int MaxSubscriptionsPerMailbox { get; init; } = 20;

    /// <summary>Most events per push; more follow with MoreEvents.</summary>
    public int MaxEventsPerPush { get; init; } = 10;

    /// <summary>How long a push waits for the listener's answer before it counts as failed.</summary>
    public TimeSpan PushTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The seed of ids and mailbox activity.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Whether any credential is required.</summary>
    public bool RequiresAuthentication => Users.Count > 0 || BearerTokens.Count > 0 || Clients.Count > 0;

    /// <summary>Exchange time scaled to real time.</summary>
    public TimeSpan Scale(TimeSpan exchangeTime) => TimeSpan.FromTicks((long)(exchangeTime.Ticks * TimeScale));

    /// <summary>Errors, each naming the option.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Listen.IsAbsoluteUri || Listen.Scheme != Uri.UriSchemeHttp)
        {
            yield return "--listen must be an absolute http URL such as http://127.0.0.1:5090.";
        }

        if (TimeScale is <= 0 or > 1000 || double.IsNaN(TimeScale))
        {
            yield return "--time-scale must be above 0 and at most 1000.";
        }

        if (ActionsPerMinute < 0)
        {
            yield return "--actions-per-minute must not be negative.";
        }

        if (MaxSubscriptionsPerMailbox < 1)
        {
            yield return "--max-subscriptions must be at least 1.";
        }

        if (MaxEventsPerPush is < 1 or > 200)
        {
            yield return "--max-events-per-push must be between 1 and 200.";
        }
    }
}
