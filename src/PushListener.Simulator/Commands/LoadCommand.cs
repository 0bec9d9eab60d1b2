using System.CommandLine;
using PushListener.Simulator.Generation;
using PushListener.Simulator.Load;
using PushListener.Simulator.Reporting;
using PushListener.Simulator.Sending;
using Spectre.Console;

namespace PushListener.Simulator.Commands;

/// <summary><c>load</c>: as many pushes as C connections carry for T seconds, or a fixed rate; throughput and latency.</summary>
internal static class LoadCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var url = SimulatorCommandLine.UrlOption();
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Connections, and requests in flight at most.", DefaultValueFactory = _ => 16 };
        var duration = SimulatorCommandLine.DurationOption("--duration", TimeSpan.FromSeconds(10), "How long to send", "-d");
        var rate = new Option<double?>("--rate", "-r")
        {
            Description = "Requests per second on a fixed schedule (open loop; latency counts from the scheduled time). Default: as fast as possible.",
        };
        var subscriptions = new Option<int>("--subscriptions", "-k") { Description = "Subscriptions the requests cycle through.", DefaultValueFactory = _ => 100 };
        var soap = SimulatorCommandLine.SoapVersionOption("1.1");
        var timeout = SimulatorCommandLine.DurationOption("--timeout", TimeSpan.FromSeconds(10), "How long to wait for an answer before counting an error");
        var seed = SimulatorCommandLine.SeedOption();
        var json = SimulatorCommandLine.JsonOption();

        var command = new Command("load", "Benchmark: distinct pushes over C connections for T seconds (or at --rate); requests/s and latency percentiles.")
        {
            url, concurrency, duration, rate, subscriptions, soap, timeout, seed, json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = new LoadOptions
            {
                Url = parseResult.GetRequiredValue(url),
                Concurrency = parseResult.GetValue(concurrency),
                Duration = parseResult.GetValue(duration),
                Rate = parseResult.GetValue(rate),
                Subscriptions = parseResult.GetValue(subscriptions),
                Generator = new GeneratorOptions
                {
                    SoapVersion = SimulatorCommandLine.ToSoapVersion(parseResult.GetValue(soap)),
                    Seed = parseResult.GetValue(seed),
                },
            };
            var requestTimeout = parseResult.GetValue(timeout);
            var errors = options.Validate().Concat(requestTimeout > TimeSpan.Zero ? [] : ["--timeout must be positive."]);
            if (SimulatorCommandLine.Report(parseResult, errors) is not 0 and var code)
            {
                return code;
            }

            using var client = ExchangeSender.CreateHttpClient(options.Concurrency);
            var sender = new ExchangeSender(client, requestTimeout, TimeProvider.System);
            var runner = new LoadRunner(sender);
            var stats = new LoadStats();
            var asJson = parseResult.GetValue(json);
            var summary = asJson
                ? await runner.RunAsync(options, stats, cancellationToken)
                : await ConsoleReport.WithProgressAsync(
                    console,
                    TimeProvider.System,
                    $"{options.Concurrency} connections",
                    options.Duration,
                    () => ConsoleReport.Describe(stats),
                    () => runner.RunAsync(options, stats, cancellationToken));

            if (asJson)
            {
                SimulatorCommandLine.WriteJson(parseResult, summary, SummaryJson.Default.LoadSummary);
            }
            else
            {
                ConsoleReport.WriteLoad(console, summary);
            }

            // A benchmark that reached nothing must not look like a result.
            return cancellationToken.IsCancellationRequested ? 130 : summary.Ok + summary.Unsubscribe > 0 ? 0 : 1;
        });
        return command;
    }
}
