using System.Globalization;
using Spectre.Console;

namespace PushListener.Simulator.Reporting;

/// <summary>What people see: a live progress line while a run lasts, then summary tables.</summary>
internal static class ConsoleReport
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Runs <paramref name="work"/> under a progress bar over <paramref name="duration"/> whose caption
    /// <paramref name="describe"/> refreshes a few times a second. Without an interactive terminal it just runs.
    /// </summary>
    public static async Task<T> WithProgressAsync<T>(IAnsiConsole console, TimeProvider time, string title, TimeSpan duration, Func<string> describe, Func<Task<T>> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await work();
        }

        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: Math.Max(duration.TotalSeconds, 0.001));
                var started = time.GetTimestamp();
                var running = work();
                while (!running.IsCompleted)
                {
                    await Task.WhenAny(running, Task.Delay(Refresh, time));
                    task.Value = Math.Min(time.GetElapsedTime(started).TotalSeconds, task.MaxValue);
                    task.Description = Markup.Escape($"{title}  {describe()}");
                }

                task.Value = task.MaxValue;
                return await running;
            });
    }

    /// <summary>The live caption of a scenario.</summary>
    public static string Describe(ScenarioStats stats) => string.Create(
        CultureInfo.InvariantCulture,
        $"sent {stats.Sent}  ack {stats.Acknowledged}  retried {stats.Retried}  unsubscribed {stats.Unsubscribed}  dead {stats.Dead}");

    /// <summary>The live caption of a load run.</summary>
    public static string Describe(LoadStats stats) => string.Create(
        CultureInfo.InvariantCulture,
        $"requests {stats.Requests}  errors {stats.Errors}  p50 {stats.Latency.Percentile(50).TotalMilliseconds:0.0} ms");

    public static void WriteRun(IAnsiConsole console, ScenarioSummary summary)
    {
        var table = Counts($"run against {summary.Url}");
        Row(table, "duration", $"{summary.DurationSeconds:0.0} s (StatusFrequency {summary.StatusFrequencyMinutes} min, time scale {summary.TimeScale})");
        Row(table, "subscriptions", summary.Subscriptions);
        Row(table, "pushes sent", $"{summary.Sent} ({summary.Events} events, {summary.Heartbeats} heartbeats, {summary.MoreEventsPushes} with MoreEvents, {summary.ErrorPushes} error pushes)");
        Row(table, "POSTs", summary.Attempts);
        Row(table, "acknowledged", summary.Acknowledged);
        Row(table, "retried", summary.Retried);
        Row(table, "failed POSTs", Failures(summary.Failures));
        Row(table, "unsubscribed", summary.Unsubscribed);
        Row(table, "dead", summary.Dead);
        Row(table, "ended by error push", summary.EndedByErrorPush);
        Row(table, "active at the end", summary.Active);
        console.Write(table);
        console.Write(Latencies(summary.LatencyMs));
    }

    public static void WriteLoad(IAnsiConsole console, LoadSummary summary)
    {
        var table = Counts($"load against {summary.Url}");
        var mode = summary.Rate is { } rate ? $"open loop at {rate} requests/s" : "closed loop";
        Row(table, "duration", $"{summary.DurationSeconds:0.0} s, {summary.Concurrency} connections, {mode}");
        Row(table, "requests", summary.Requests);
        Row(table, "requests/s", summary.RequestsPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        Row(table, "OK", summary.Ok);
        Row(table, "Unsubscribe", summary.Unsubscribe);
        Row(table, "errors", Failures(summary.Failures));
        console.Write(table);
        console.Write(Latencies(summary.LatencyMs));
    }

    public static void WriteReplay(IAnsiConsole console, ReplaySummary summary)
    {
        var status = summary.StatusCode is { } code ? $"HTTP {code}" : "no answer";
        var colour = summary.Outcome is Sending.DeliveryOutcome.Ok or Sending.DeliveryOutcome.Unsubscribe ? "green" : "red";
        console.MarkupLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{Markup.Escape(summary.File)} -> {Markup.Escape(summary.Url)}: {status}, [{colour}]{summary.Outcome}[/] in {summary.LatencyMs:0.0} ms"));
        if (summary.Detail is { } detail)
        {
            console.MarkupLine(Markup.Escape(detail));
        }

        if (summary.Reply is { } reply)
        {
            console.WriteLine(reply);
        }
    }

    private static Table Counts(string title) =>
        new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title)).AddColumn("what").AddColumn("count");

    private static void Row(Table table, string what, object value) =>
        table.AddRow(Markup.Escape(what), Markup.Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty));

    private static string Failures(FailureCounts f) =>
        f.Total == 0
            ? "0"
            : string.Create(CultureInfo.InvariantCulture, $"{f.Total} ({f.Timeout} timeout, {f.HttpError} HTTP error, {f.Fault} fault, {f.BadReply} bad answer, {f.Connection} connection)");

    private static Table Latencies(LatencySummary l)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("latency (ms)");
        foreach (var column in new[] { "answers", "min", "p50", "p90", "p99", "p99.9", "max", "mean" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        table.AddRow([.. new object[] { l.Count, l.Min, l.P50, l.P90, l.P99, l.P999, l.Max, l.Mean }
            .Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty)]);
        return table;
    }
}
