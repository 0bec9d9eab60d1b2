using System.CommandLine;
using PushListener.Simulator.Generation;
using PushListener.Simulator.Reporting;
using PushListener.Simulator.Scheduling;
using PushListener.Simulator.Sending;
using Spectre.Console;

namespace PushListener.Simulator.Commands;

/// <summary><c>run</c>: a scenario of N subscriptions for a duration, then a summary.</summary>
internal static class RunCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var url = SimulatorCommandLine.UrlOption();
        var subscriptions = new Option<int>("--subscriptions", "-n") { Description = "Subscriptions played at once.", DefaultValueFactory = _ => 10 };
        var duration = SimulatorCommandLine.DurationOption("--duration", TimeSpan.FromSeconds(30), "Wall-clock length of the run", "-d");
        var statusFrequency = new Option<int>("--status-frequency")
        {
            Description = "StatusFrequency in minutes (1-1440): heartbeat interval and retry budget, as in the PushSubscriptionRequest.",
            DefaultValueFactory = _ => 30,
        };
        var actions = new Option<double>("--actions-per-minute")
        {
            Description = "Mailbox actions per subscription per minute of Exchange time (usually 1-3 events each); 0 for heartbeats only.",
            DefaultValueFactory = _ => 6,
        };
        var burst = new Option<double>("--burst-rate") { Description = "Probability that an action is a burst (many events, MoreEvents pushes).", DefaultValueFactory = _ => 0.05 };
        var maxEvents = new Option<int>("--max-events-per-push") { Description = "Most events in one notification; more are split with MoreEvents=true.", DefaultValueFactory = _ => 10 };
        var errorPushes = new Option<double>("--error-push-rate") { Description = "Probability that a push is an error push (ErrorReadEventsFailed), which ends its subscription.", DefaultValueFactory = _ => 0 };
        var soap = SimulatorCommandLine.SoapVersionOption("1.1");
        var serverVersion = new Option<string>("--server-version") { Description = "RequestServerVersion header value.", DefaultValueFactory = _ => "Exchange2013" };
        var timeScale = new Option<double>("--time-scale")
        {
            Description = "Exchange time per real time: 0.001 turns the 30 s retry wait into 30 ms and StatusFrequency 1 into 60 ms. Request timeouts are not scaled.",
            DefaultValueFactory = _ => 1,
        };
        var timeout = SimulatorCommandLine.DurationOption("--timeout", TimeSpan.FromSeconds(30), "How long to wait for an answer before counting a POST as failed");
        var seed = SimulatorCommandLine.SeedOption();
        var json = SimulatorCommandLine.JsonOption();

        var command = new Command("run", "Play N subscriptions like Exchange: events, MoreEvents bursts, heartbeats, retries, Unsubscribe; then a summary.")
        {
            url, subscriptions, duration, statusFrequency, actions, burst, maxEvents, errorPushes, soap, serverVersion, timeScale, timeout, seed, json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = new ScenarioOptions
            {
                Url = parseResult.GetRequiredValue(url),
                Subscriptions = parseResult.GetValue(subscriptions),
                Duration = parseResult.GetValue(duration),
                StatusFrequencyMinutes = parseResult.GetValue(statusFrequency),
                ActionsPerMinute = parseResult.GetValue(actions),
                ErrorPushProbability = parseResult.GetValue(errorPushes),
                TimeScale = parseResult.GetValue(timeScale),
                Generator = new GeneratorOptions
                {
                    SoapVersion = SimulatorCommandLine.ToSoapVersion(parseResult.GetValue(soap)),
                    ServerVersion = parseResult.GetValue(serverVersion) ?? "Exchange2013",
                    MaxEventsPerPush = parseResult.GetValue(maxEvents),
                    BurstProbability = parseResult.GetValue(burst),
                    Seed = parseResult.GetValue(seed),
                },
            };
            var requestTimeout = parseResult.GetValue(timeout);
            var errors = options.Validate().Concat(requestTimeout > TimeSpan.Zero ? [] : ["--timeout must be positive."]);
            if (SimulatorCommandLine.Report(parseResult, errors) is not 0 and var code)
            {
                return code;
            }

            using var client = ExchangeSender.CreateHttpClient();
            var sender = new ExchangeSender(client, requestTimeout, TimeProvider.System);
            var runner = new ScenarioRunner(sender);
            var stats = new ScenarioStats();
            var asJson = parseResult.GetValue(json);
            var result = asJson
                ? await runner.RunAsync(options, stats, cancellationToken)
                : await ConsoleReport.WithProgressAsync(
                    console,
                    TimeProvider.System,
                    $"{options.Subscriptions} subscriptions",
                    options.Duration,
                    () => ConsoleReport.Describe(stats),
                    () => runner.RunAsync(options, stats, cancellationToken));

            if (asJson)
            {
                SimulatorCommandLine.WriteJson(parseResult, result.Summary, SummaryJson.Default.ScenarioSummary);
            }
            else
            {
                ConsoleReport.WriteRun(console, result.Summary);
            }

            // Interrupted runs still report what they did, and say they were interrupted the usual way.
            return cancellationToken.IsCancellationRequested ? 130 : 0;
        });
        return command;
    }
}
