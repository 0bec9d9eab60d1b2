using PushListener.Simulator.Generation;

namespace PushListener.Simulator.Exchange;

/// <summary>
/// One mailbox's event table: every event with its watermark, in order, so that a subscription created from a
/// watermark replays what came after it (as Exchange does for about 30 days). Heartbeats take a watermark of their own.
/// Thread-safe.
/// </summary>
internal sealed class FakeMailbox
{
    private readonly object _gate = new();
    private readonly List<Entry> _log = [];
    private readonly Dictionary<string, long> _watermarks = new(StringComparer.Ordinal);
    private readonly SimulatedMailbox _generator;
    private readonly Random _random;
    private readonly List<FakeSubscription> _subscribers = [];
    private long _counter;

    public FakeMailbox(string address, int seed)
    {
        Address = address;
        _random = new Random(unchecked(seed * 31 + StringComparer.OrdinalIgnoreCase.GetHashCode(address)));
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        Database = new Guid(bytes);
        _random.NextBytes(bytes);
        _generator = new SimulatedMailbox(new Guid(bytes), _random);
        _counter = _random.Next(0x100000, 0x1000000);
        Remember(_counter);
    }

    public string Address { get; }

    /// <summary>The mailbox database inside every watermark: a watermark of another database is refused.</summary>
    public Guid Database { get; }

    /// <summary>The newest watermark (where a fresh subscription starts).</summary>
    public (string Watermark, long Counter) Current
    {
        get
        {
            lock (_gate)
            {
                return (ExchangeIds.Watermark(Database, _counter), _counter);
            }
        }
    }

    /// <summary>Events written so far.</summary>
    public int EventCount
    {
        get
        {
            lock (_gate)
            {
                return _log.Count(e => e.Event is not null);
            }
        }
    }

    /// <summary>The position of a watermark this mailbox issued, or false (unknown, or from another mailbox).</summary>
    public bool TryFind(string watermark, out long counter)
    {
        lock (_gate)
        {
            return _watermarks.TryGetValue(watermark, out counter);
        }
    }

    /// <summary>Plays <paramref name="actions"/> user actions (a few events each) and wakes the subscriptions.</summary>
    public int AddActivity(int actions)
    {
        var added = 0;
        lock (_gate)
        {
            for (var i = 0; i < actions; i++)
            {
                foreach (var e in _generator.NextAction())
                {
                    _counter += _random.Next(1, 40);
                    _log.Add(new Entry(_counter, ExchangeIds.Watermark(Database, _counter), e));
                    Remember(_counter);
                    added++;
                }
            }
        }

        WakeSubscribers();
        return added;
    }

    /// <summary>
    /// Up to <paramref name="max"/> events after <paramref name="cursor"/> of the wanted kinds; <paramref name="next"/> is
    /// the cursor after them (past unwanted ones too), <paramref name="more"/> whether wanted events remain.
    /// </summary>
    public IReadOnlyList<(GeneratedEvent Event, string Watermark)> EventsAfter(long cursor, int max, IReadOnlySet<EventKind> kinds, out long next, out bool more)
    {
        var events = new List<(GeneratedEvent, string)>();
        next = cursor;
        more = false;
        lock (_gate)
        {
            foreach (var entry in _log)
            {
                if (entry.Counter <= cursor || entry.Event is null)
                {
                    continue;
                }

                if (!kinds.Contains(entry.Event.Kind))
                {
                    if (events.Count < max)
                    {
                        next = entry.Counter;
                    }

                    continue;
                }

                if (events.Count == max)
                {
                    more = true;
                    break;
                }

                events.Add((entry.Event, entry.Watermark));
                next = entry.Counter;
            }
        }

        return events;
    }

    /// <summary>A heartbeat's watermark after <paramref name="cursor"/>, or null when events came in meanwhile (they go first).</summary>
    public (string Watermark, long Counter)? Heartbeat(long cursor)
    {
        lock (_gate)
        {
            if (_log.Any(e => e.Counter > cursor && e.Event is not null))
            {
                return null;
            }

            _counter += _random.Next(1, 5);
            var watermark = ExchangeIds.Watermark(Database, _counter);
            _log.Add(new Entry(_counter, watermark, null));
            Remember(_counter);
            return (watermark, _counter);
        }
    }

    public void Attach(FakeSubscription subscription)
    {
        lock (_subscribers)
        {
            _subscribers.Add(subscription);
        }
    }

    public void Detach(FakeSubscription subscription)
    {
        lock (_subscribers)
        {
            _subscribers.Remove(subscription);
        }
    }

    private void WakeSubscribers()
    {
        FakeSubscription[] subscribers;
        lock (_subscribers)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscription in subscribers)
        {
            subscription.Wake();
        }
    }

    private void Remember(long counter) => _watermarks[ExchangeIds.Watermark(Database, counter)] = counter;

    private sealed record Entry(long Counter, string Watermark, GeneratedEvent? Event);
}
