using System.Globalization;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using PushListener.Benchmarks;

// Usage: PushListener.Benchmarks [--summary-out FILE] [BenchmarkDotNet arguments, e.g. --artifacts DIR]
// --summary-out writes one tab-separated line per payload (payload, fixture, bytes, mean ns, MB/s, allocated B, ratio)
// for bench/run.sh. The job is short (3 warm-ups, 5 measured iterations, in-process) so the run takes about a minute.
var arguments = args.ToList();
string? summaryOut = null;
var at = arguments.IndexOf("--summary-out");
if (at >= 0 && at + 1 < arguments.Count)
{
    summaryOut = arguments[at + 1];
    arguments.RemoveRange(at, 2);
}

var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun
        .WithIterationCount(5)
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithId("Short"))
    .AddColumn(ComputedColumn.RequestSize, ComputedColumn.Throughput, ComputedColumn.AllocPerRequestByte);

var summary = BenchmarkRunner.Run<ParserBenchmarks>(config, [.. arguments]);
if (summary.HasCriticalValidationErrors || summary.Reports.Length == 0 || summary.Reports.Any(r => !r.Success))
{
    Console.Error.WriteLine("Some parser benchmarks failed; see the log above.");
    return 1;
}

if (summaryOut is not null)
{
    var text = new StringBuilder();
    foreach (var report in summary.Reports)
    {
        var benchmarkCase = report.BenchmarkCase;
        var payload = (string)benchmarkCase.Parameters["Payload"];
        text.AppendLine(string.Join(
            '\t',
            payload,
            Payloads.FixtureOf(payload),
            PayloadFigures.RequestBytes(benchmarkCase).ToString(CultureInfo.InvariantCulture),
            report.ResultStatistics!.Mean.ToString("F1", CultureInfo.InvariantCulture),
            PayloadFigures.MegabytesPerSecond(summary, benchmarkCase)!.Value.ToString("F1", CultureInfo.InvariantCulture),
            (PayloadFigures.AllocatedBytes(summary, benchmarkCase) ?? -1).ToString(CultureInfo.InvariantCulture),
            (PayloadFigures.AllocationRatio(summary, benchmarkCase) ?? -1).ToString("F2", CultureInfo.InvariantCulture)));
    }

    File.WriteAllText(summaryOut, text.ToString());
}

return 0;
