using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Options;

namespace PushListener.Security;

/// <summary>
/// Counts every refused request per (source, reason) and logs at most once per source, reason and interval: the first
/// refusal at once, then the count since the last line. A flood must not turn into a log flood; the count still tells
/// the operator how bad it is. Also counts on the <c>pushlistener.rejected_requests</c> metric, tagged by reason.
/// </summary>
internal sealed class RejectionCounter : IDisposable
{
    /// <summary>The metric instrument name.</summary>
    public const string InstrumentName = "pushlistener.rejected_requests";

    /// <summary>The source name counts go under once <see cref="MaxTrackedSources"/> sources are tracked.</summary>
    public const string OtherSources = "other sources";

    /// <summary>Per-source entries kept at most, so a spread-out flood (an IPv6 /64 has 2^64 addresses) cannot exhaust memory.</summary>
    internal const int MaxTrackedSources = 10_000;

    private readonly ConcurrentDictionary<RejectionKey, Entry> _entries = new();
    private readonly long[] _totals = new long[Enum.GetValues<RejectionReason>().Length];
    private readonly TimeProvider _time;
    private readonly ILogger<RejectionCounter> _logger;
    private readonly Counter<long> _rejected;
    private readonly ITimer _flushTimer;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _retention;
    private int _tracked;

    public RejectionCounter(IOptions<SenderOptions> options, TimeProvider time, ILogger<RejectionCounter> logger, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        _time = time;
        _logger = logger;
        _interval = options.Value.RejectionLogInterval;

        // Quiet sources are forgotten after an hour (or an interval, if longer); the per-reason totals stay.
        _retention = _interval > TimeSpan.FromHours(1) ? _interval : TimeSpan.FromHours(1);
        _rejected = meters.Create("PushListener").CreateCounter<long>(InstrumentName, "{request}", "Requests to the SendNotification endpoint refused before parsing, by reason.");

        // Ticks a few times per interval so the last count of a flood that stopped is logged within about one interval.
        var tick = _interval / 4 < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : _interval / 4;
        _flushTimer = time.CreateTimer(static state => ((RejectionCounter)state!).Flush(), this, tick, tick);
    }

    /// <summary>Counts one refused request from <paramref name="source"/>, and logs it if this source was quiet for an interval.</summary>
    public void Record(IPAddress? source, RejectionReason reason)
    {
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason.TagValue()));
        Interlocked.Increment(ref _totals[(int)reason]);

        var name = SourceAddress.NameOf(source);
        var now = _time.GetUtcNow();
        while (true)
        {
            var entry = EntryFor(new RejectionKey(name, reason), now, out var key);
            long count;
            TimeSpan elapsed;
            bool first;
            lock (entry)
            {
                if (entry.Evicted)
                {
                    continue; // removed by Flush between lookup and lock; take the new entry
                }

                entry.Total++;
                entry.Pending++;
                entry.LastAt = now;
                first = entry.Total == 1;
                elapsed = now - entry.LastLoggedAt;
                if (!first && elapsed < _interval)
                {
                    return;
                }

                count = entry.Pending;
                entry.Pending = 0;
                entry.LastLoggedAt = now;
            }

            if (first)
            {
                SecurityLog.FirstRejection(_logger, key.Source, key.Reason.Description(), _interval);
            }
            else
            {
                SecurityLog.Rejections(_logger, count, key.Source, WholeSeconds(elapsed), key.Reason.Description());
            }

            return;
        }
    }

    /// <summary>Logs counts pending for at least an interval and forgets sources quiet past retention. Runs on a timer.</summary>
    internal void Flush()
    {
        var now = _time.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            long count = 0;
            var elapsed = TimeSpan.Zero;
            var evict = false;
            lock (entry)
            {
                if (entry.Pending > 0 && now - entry.LastLoggedAt >= _interval)
                {
                    count = entry.Pending;
                    elapsed = now - entry.LastLoggedAt;
                    entry.Pending = 0;
                    entry.LastLoggedAt = now;
                }
                else if (entry.Pending == 0 && now - entry.LastAt >= _retention)
                {
                    entry.Evicted = evict = true;
                }
            }

            if (evict && _entries.TryRemove(new KeyValuePair<RejectionKey, Entry>(key, entry)) && key.Source != OtherSources)
            {
                Interlocked.Decrement(ref _tracked);
            }

            if (count > 0)
            {
                SecurityLog.Rejections(_logger, count, key.Source, WholeSeconds(elapsed), key.Reason.Description());
            }
        }
    }

    /// <summary>Totals since start per reason, and recently refused sources (most refused first), for the admin API.</summary>
    public RejectionSnapshot Snapshot()
    {
        var totals = Enum.GetValues<RejectionReason>().ToDictionary(r => r, r => Interlocked.Read(ref _totals[(int)r]));
        var sources = new List<SourceRejections>();
        foreach (var (key, entry) in _entries)
        {
            lock (entry)
            {
                if (!entry.Evicted)
                {
                    sources.Add(new SourceRejections(key.Source, key.Reason, entry.Total, entry.FirstAt, entry.LastAt));
                }
            }
        }

        sources.Sort(static (a, b) => b.Count != a.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Source, b.Source));
        return new RejectionSnapshot(totals, sources);
    }

    public void Dispose() => _flushTimer.Dispose();

    private Entry EntryFor(RejectionKey key, DateTimeOffset now, out RejectionKey used)
    {
        used = key;
        if (_entries.TryGetValue(key, out var existing))
        {
            return existing;
        }

        if (Volatile.Read(ref _tracked) >= MaxTrackedSources)
        {
            used = key with { Source = OtherSources };
            return _entries.GetOrAdd(used, static (_, at) => new Entry(at), now);
        }

        var created = new Entry(now);
        if (_entries.TryAdd(key, created))
        {
            Interlocked.Increment(ref _tracked);
            return created;
        }

        return _entries.GetOrAdd(key, static (_, at) => new Entry(at), now);
    }

    // Log lines show whole seconds: the timer's tick, not the clock's resolution, decides the exact span.
    private static TimeSpan WholeSeconds(TimeSpan span) => TimeSpan.FromSeconds(Math.Floor(span.TotalSeconds));

    private readonly record struct RejectionKey(string Source, RejectionReason Reason);

    private sealed class Entry(DateTimeOffset now)
    {
        public long Total { get; set; }

        public long Pending { get; set; }

        public DateTimeOffset FirstAt { get; } = now;

        public DateTimeOffset LastAt { get; set; } = now;

        public DateTimeOffset LastLoggedAt { get; set; } = now;

        public bool Evicted { get; set; }
    }
}

/// <summary>What <see cref="RejectionCounter.Snapshot"/> returns.</summary>
/// <param name="Totals">Refused requests since start, per reason.</param>
/// <param name="Sources">Sources refused recently (forgotten after an hour of quiet), most refused first.</param>
internal sealed record RejectionSnapshot(IReadOnlyDictionary<RejectionReason, long> Totals, IReadOnlyList<SourceRejections> Sources);

/// <summary>One source's refusals for one reason since it was first refused (or last forgotten).</summary>
internal sealed record SourceRejections(string Source, RejectionReason Reason, long Count, DateTimeOffset FirstAt, DateTimeOffset LastAt);
