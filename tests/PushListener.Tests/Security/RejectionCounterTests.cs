using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PushListener.Security;

namespace PushListener.Tests.Security;

public sealed class RejectionCounterTests : IDisposable
{
    private static readonly IPAddress Flooder = IPAddress.Parse("203.0.113.9");
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
    private readonly CapturedLogs _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly RejectionCounter _counter;

    public RejectionCounterTests()
    {
        _loggerFactory = _logs.Factory();
        _counter = new RejectionCounter(
            Options.Create(new SenderOptions { RejectionLogInterval = TimeSpan.FromMinutes(1) }),
            _time,
            _loggerFactory.CreateLogger<RejectionCounter>(),
            _metrics.GetRequiredService<IMeterFactory>());
    }

    public void Dispose()
    {
        _counter.Dispose();
        _loggerFactory.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public void Flood_LogsOnceAtFirst_ThenOneLineWithTheCountPerInterval()
    {
        for (var i = 0; i < 153; i++)
        {
            _counter.Record(Flooder, RejectionReason.NotAllowed);
        }

        Assert.Equal(["Rejected a request from 203.0.113.9: not in PushListener:Senders:AllowedNetworks; further rejections from this source are summarised every 00:01:00"], Lines());

        _time.Advance(TimeSpan.FromSeconds(30));
        _counter.Flush();
        Assert.Single(Lines());

        _time.Advance(TimeSpan.FromSeconds(30));
        _counter.Flush();
        _counter.Flush();
        Assert.Equal("Rejected 152 request(s) from 203.0.113.9 in the last 00:01:00: not in PushListener:Senders:AllowedNetworks", Lines()[1]);
        Assert.Equal(2, Lines().Count);

        // Nothing pending: no line, however long.
        _time.Advance(TimeSpan.FromMinutes(5));
        _counter.Flush();
        Assert.Equal(2, Lines().Count);
        Assert.Equal(153, _counter.Snapshot().Totals[RejectionReason.NotAllowed]);
    }

    [Fact]
    public void OngoingFlood_LogsFromRecordOncePerInterval_WithoutTheTimer()
    {
        for (var second = 0; second < 180; second++)
        {
            _counter.Record(Flooder, RejectionReason.RateLimited);
            _counter.Record(Flooder, RejectionReason.RateLimited);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var lines = Lines();
        Assert.Equal(3, lines.Count);
        Assert.StartsWith("Rejected a request from 203.0.113.9: over PushListener:Senders:RateLimit", lines[0], StringComparison.Ordinal);
        Assert.Equal("Rejected 120 request(s) from 203.0.113.9 in the last 00:01:00: over PushListener:Senders:RateLimit", lines[1]);
        Assert.Equal("Rejected 120 request(s) from 203.0.113.9 in the last 00:01:00: over PushListener:Senders:RateLimit", lines[2]);
    }

    [Fact]
    public void SourcesAndReasons_AreCountedApart_MappedAddressesAsIPv4()
    {
        _counter.Record(Flooder, RejectionReason.NotAllowed);
        _counter.Record(IPAddress.Parse("::ffff:203.0.113.9"), RejectionReason.NotAllowed);
        _counter.Record(Flooder, RejectionReason.BodyTooLarge);
        _counter.Record(IPAddress.Parse("2001:db8::5"), RejectionReason.NotAllowed);
        _counter.Record(null, RejectionReason.NotAllowed);

        var snapshot = _counter.Snapshot();

        Assert.Equal(4, snapshot.Totals[RejectionReason.NotAllowed]);
        Assert.Equal(1, snapshot.Totals[RejectionReason.BodyTooLarge]);
        Assert.Equal(0, snapshot.Totals[RejectionReason.RateLimited]);
        Assert.Equal(
            [("203.0.113.9", RejectionReason.NotAllowed, 2L), ("2001:db8::5", RejectionReason.NotAllowed, 1L), ("unknown", RejectionReason.NotAllowed, 1L), ("203.0.113.9", RejectionReason.BodyTooLarge, 1L)],
            snapshot.Sources.Select(s => (s.Source, s.Reason, s.Count)).OrderByDescending(s => s.Item3).ThenBy(s => s.Item2).ThenBy(s => s.Item1, StringComparer.Ordinal));
        Assert.Equal(4, Lines().Count); // one first line per (source, reason)
    }

    [Fact]
    public void QuietSources_AreForgotten_TotalsStay()
    {
        _counter.Record(Flooder, RejectionReason.NotAllowed);
        _time.Advance(TimeSpan.FromMinutes(59));
        _counter.Flush();
        Assert.Single(_counter.Snapshot().Sources);

        _time.Advance(TimeSpan.FromMinutes(1));
        _counter.Flush();

        Assert.Empty(_counter.Snapshot().Sources);
        Assert.Equal(1, _counter.Snapshot().Totals[RejectionReason.NotAllowed]);

        // Back after being forgotten: a fresh first line.
        _counter.Record(Flooder, RejectionReason.NotAllowed);
        Assert.Equal(2, Lines().Count(l => l.StartsWith("Rejected a request from 203.0.113.9", StringComparison.Ordinal)));
    }

    [Fact]
    public void ManySources_AreCappedIntoOtherSources()
    {
        var bytes = new byte[16];
        bytes[0] = 0x20;
        bytes[1] = 0x01;
        for (var i = 0; i < RejectionCounter.MaxTrackedSources + 50; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(12), i);
            _counter.Record(new IPAddress(bytes), RejectionReason.NotAllowed);
        }

        var snapshot = _counter.Snapshot();

        Assert.Equal(RejectionCounter.MaxTrackedSources + 1, snapshot.Sources.Count);
        Assert.Equal(50, snapshot.Sources.Single(s => s.Source == RejectionCounter.OtherSources).Count);
        Assert.Equal(RejectionCounter.MaxTrackedSources + 50, snapshot.Totals[RejectionReason.NotAllowed]);
    }

    [Fact]
    public void EveryRejection_IsCountedOnTheMetric_TaggedByReason()
    {
        var seen = new List<(long Value, string? Reason)>();
        var factory = _metrics.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == RejectionCounter.InstrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (seen)
            {
                seen.Add((value, (string?)tags.ToArray().Single(t => t.Key == "reason").Value));
            }
        });
        listener.Start();

        for (var i = 0; i < 3; i++)
        {
            _counter.Record(Flooder, RejectionReason.NotAllowed);
        }

        _counter.Record(Flooder, RejectionReason.RateLimited);

        Assert.Equal([(1L, "not_allowed"), (1L, "not_allowed"), (1L, "not_allowed"), (1L, "rate_limited")], seen);
    }

    private List<string> Lines() => [.. _logs.From<RejectionCounter>()];
}
