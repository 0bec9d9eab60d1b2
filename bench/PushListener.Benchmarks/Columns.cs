using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace PushListener.Benchmarks;

/// <summary>Per-payload figures BenchmarkDotNet does not print itself: request size, MB/s and allocation per request byte.</summary>
public static class PayloadFigures
{
    /// <summary>The request size of a benchmark case, from its <c>Payload</c> parameter.</summary>
    public static int RequestBytes(BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        return Payloads.Load((string)benchmarkCase.Parameters["Payload"]).Length;
    }

    /// <summary>Decimal megabytes (10^6 bytes) parsed per second, from the mean time per request.</summary>
    public static double? MegabytesPerSecond(Summary summary, BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return mean is > 0 ? RequestBytes(benchmarkCase) / mean.Value * 1e3 : null;
    }

    /// <summary>Bytes allocated per request.</summary>
    public static long? AllocatedBytes(Summary summary, BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary[benchmarkCase]?.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
    }

    /// <summary>Bytes allocated per request divided by the request size.</summary>
    public static double? AllocationRatio(Summary summary, BenchmarkCase benchmarkCase) =>
        AllocatedBytes(summary, benchmarkCase) is { } allocated ? (double)allocated / RequestBytes(benchmarkCase) : null;
}

/// <summary>A numeric column computed from a benchmark case's report.</summary>
public sealed class ComputedColumn(string id, string name, string legend, Func<Summary, BenchmarkCase, string> value) : IColumn
{
    /// <summary>Request size in bytes.</summary>
    public static ComputedColumn RequestSize { get; } = new(
        "RequestBytes", "Request (B)", "Request body size in bytes",
        (_, c) => PayloadFigures.RequestBytes(c).ToString("N0", CultureInfo.InvariantCulture));

    /// <summary>Throughput in MB/s.</summary>
    public static ComputedColumn Throughput { get; } = new(
        "MBps", "MB/s", "Request bytes parsed per second, in 10^6 bytes (request size / Mean)",
        (s, c) => PayloadFigures.MegabytesPerSecond(s, c)?.ToString("N1", CultureInfo.InvariantCulture) ?? "?");

    /// <summary>Allocated bytes over request bytes.</summary>
    public static ComputedColumn AllocPerRequestByte { get; } = new(
        "AllocRatio", "Alloc/Request", "Bytes allocated per request / request size (target: at most 2)",
        (s, c) => PayloadFigures.AllocationRatio(s, c)?.ToString("N2", CultureInfo.InvariantCulture) ?? "?");

    public string Id { get; } = id;

    public string ColumnName { get; } = name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; } = legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => value(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => value(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
