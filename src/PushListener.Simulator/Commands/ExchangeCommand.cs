using System.CommandLine;
using PushListener.Simulator.Exchange;
using Spectre.Console;

namespace PushListener.Simulator.Commands;

/// <summary>
/// <c>exchange</c>: a fake Exchange for trying and testing a subscription manager. It takes Subscribe requests at
/// <c>/EWS/Exchange.asmx</c> and pushes to the URL each names, until Ctrl+C.
/// </summary>
internal static class ExchangeCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var listen = new Option<Uri>("--listen", "-l")
        {
            Description = "Where to listen; EWS is at {listen}/EWS/Exchange.asmx.",
            DefaultValueFactory = _ => new Uri("http://127.0.0.1:5090"),
            CustomParser = SimulatorCommandLine.ParseUrl,
        };
        var users = new Option<string[]>("--user") { Description = "A Basic credential accepted, name:password (repeatable). Without --user, --bearer-token and --client every request is let in.", AllowMultipleArgumentsPerToken = false };
        var tokens = new Option<string[]>("--bearer-token") { Description = "A bearer token accepted as it is (repeatable)." };
        var clients = new Option<string[]>("--client")
        {
            Description = "An app the token endpoint {listen}/{tenant}/oauth2/v2.0/token issues tokens to, clientId:secret (repeatable).",
        };
        var timeScale = new Option<double>("--time-scale")
        {
            Description = "Exchange time per real time for heartbeats and retries: 0.01 makes StatusFrequency 1 a 600 ms heartbeat.",
            DefaultValueFactory = _ => 1,
        };
        var actions = new Option<double>("--actions-per-minute")
        {
            Description = "Mailbox actions per minute of Exchange time across the subscribed mailboxes (a few events each); 0 for none but those asked for.",
            DefaultValueFactory = _ => 6,
        };
        var maxSubscriptions = new Option<int>("--max-subscriptions") { Description = "Active subscriptions per mailbox before ErrorExceededSubscriptionCount.", DefaultValueFactory = _ => 20 };
        var timeout = SimulatorCommandLine.DurationOption("--timeout", TimeSpan.FromSeconds(30), "How long a push waits for the listener's answer");
        var seed = SimulatorCommandLine.SeedOption();

        var command = new Command("exchange", "A fake Exchange: answers EWS Subscribe (push), then pushes as Exchange does; faults on request at /fake/faults.")
        {
            listen, users, tokens, clients, timeScale, actions, maxSubscriptions, timeout, seed,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var errors = new List<string>();
            var options = new FakeExchangeOptions
            {
                Listen = parseResult.GetValue(listen)!,
                Users = Pairs(parseResult.GetValue(users), "--user", errors),
                BearerTokens = parseResult.GetValue(tokens) ?? [],
                Clients = Pairs(parseResult.GetValue(clients), "--client", errors),
                TimeScale = parseResult.GetValue(timeScale),
                ActionsPerMinute = parseResult.GetValue(actions),
                MaxSubscriptionsPerMailbox = parseResult.GetValue(maxSubscriptions),
                PushTimeout = parseResult.GetValue(timeout),
                Seed = parseResult.GetValue(seed),
            };
            if (SimulatorCommandLine.Report(parseResult, errors.Concat(options.Validate())) is not 0 and var code)
            {
                return code;
            }

            await using var host = await FakeExchangeHost.StartAsync(options, pushClient: null, TimeProvider.System, cancellationToken);
            console.MarkupLineInterpolated($"Fake Exchange: [bold]{host.EwsUrl}[/] ({(options.RequiresAuthentication ? "credentials required" : "no credentials required")}). Ctrl+C to stop.");
            console.MarkupLineInterpolated($"Inside: GET {host.BaseUrl}fake/subscriptions; faults: POST {host.BaseUrl}fake/faults {{\"kind\":\"ServerBusy\",\"backOffMilliseconds\":5000}}");
            await ReportAsync(console, host.Exchange, cancellationToken);
            return 130;
        });
        return command;
    }

    /// <summary>Prints each subscription as it changes state, until cancelled.</summary>
    private static async Task ReportAsync(IAnsiConsole console, FakeExchange exchange, CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, (FakeSubscriptionState State, int Pushes)>(StringComparer.Ordinal);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var subscription in exchange.Subscriptions)
                {
                    var now = (subscription.State, subscription.Pushes);
                    if (!seen.TryGetValue(subscription.Id, out var before) || before.State != now.State || (now.Pushes > 0) != (before.Pushes > 0))
                    {
                        console.MarkupLineInterpolated($"{exchange.Time.GetUtcNow():HH:mm:ss} {subscription.Mailbox} [bold]{subscription.State}[/] {subscription.Id[..Math.Min(24, subscription.Id.Length)]}... pushes taken: {subscription.Pushes} -> {subscription.Url}");
                        seen[subscription.Id] = now;
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static Dictionary<string, string> Pairs(string[]? values, string option, List<string> errors)
    {
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values ?? [])
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == value.Length - 1)
            {
                errors.Add($"{option} takes name:secret (got '{value}').");
                continue;
            }

            pairs[value[..colon]] = value[(colon + 1)..];
        }

        return pairs;
    }
}
