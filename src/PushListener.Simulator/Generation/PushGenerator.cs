using System.Globalization;
using System.Text;
using System.Xml;
using PushListener.Protocol;

namespace PushListener.Simulator.Generation;

/// <summary>
/// Makes subscriptions whose pushes are byte-for-byte shaped like Exchange Online's (<c>soap11:</c> prefix, one line,
/// RequestServerVersion header, namespaces declared on SendNotification). Deterministic for a given seed.
/// </summary>
internal sealed class PushGenerator(GeneratorOptions options)
{
    public GeneratorOptions Options { get; } = options;

    /// <summary>The subscription numbered <paramref name="index"/>: the same index and seed give the same ids and events.</summary>
    public SubscriptionStream CreateSubscription(int index) => new(Options, index);
}

/// <summary>
/// One subscription's notification stream: ids, a mailbox, and the watermark chain. Each push's PreviousWatermark is
/// the previous push's last watermark; every event (heartbeats included) advances it. Not thread-safe.
/// </summary>
internal sealed class SubscriptionStream
{
    private readonly GeneratorOptions _options;
    private readonly Random _random;
    private readonly SimulatedMailbox _mailbox;
    private long _counter;

    public SubscriptionStream(GeneratorOptions options, int index)
    {
        _options = options;
        // Seeded per subscription, so that the order in which concurrent subscriptions run changes nothing.
        _random = new Random(unchecked((options.Seed * 1_000_003) + index));
        SubscriptionId = ExchangeIds.SubscriptionId(options.ServerName, NextGuid());
        Database = NextGuid();
        _mailbox = new SimulatedMailbox(NextGuid(), _random);
        _counter = _random.Next(0x100000, 0x1000000);
        LastWatermark = ExchangeIds.Watermark(Database, _counter);
    }

    public string SubscriptionId { get; }

    /// <summary>The mailbox database GUID inside this subscription's watermarks.</summary>
    public Guid Database { get; }

    /// <summary>The watermark of the last event generated: the next push's PreviousWatermark.</summary>
    public string LastWatermark { get; private set; }

    /// <summary>Pushes generated so far.</summary>
    public int PushCount { get; private set; }

    /// <summary>A StatusEvent heartbeat (also the first push of a new subscription).</summary>
    public GeneratedPush Heartbeat(DateTimeOffset now) => Notification([new GeneratedEvent(EventKind.Status)], moreEvents: false, now);

    /// <summary>The next mailbox activity: usually one push, a burst of several chained with MoreEvents.</summary>
    public IReadOnlyList<GeneratedPush> NextActivity(DateTimeOffset now)
    {
        var events = _random.NextDouble() < _options.BurstProbability
            ? _mailbox.Burst(_random.Next(8, 20))
            : _mailbox.NextAction();
        return Split(events, now);
    }

    /// <summary>Pushes carrying <paramref name="events"/>, at most MaxEventsPerPush each, MoreEvents on all but the last.</summary>
    public IReadOnlyList<GeneratedPush> Split(IReadOnlyList<GeneratedEvent> events, DateTimeOffset now)
    {
        var size = Math.Max(1, _options.MaxEventsPerPush);
        var pushes = new List<GeneratedPush>((events.Count + size - 1) / size);
        for (var start = 0; start < events.Count; start += size)
        {
            var count = Math.Min(size, events.Count - start);
            var slice = new GeneratedEvent[count];
            for (var i = 0; i < count; i++)
            {
                slice[i] = events[start + i];
            }

            pushes.Add(Notification(slice, moreEvents: start + count < events.Count, now));
        }

        return pushes;
    }

    /// <summary>One push with every event type, StatusEvent included (however many events that makes).</summary>
    public GeneratedPush EveryEventType(DateTimeOffset now)
    {
        var events = new List<GeneratedEvent>(_mailbox.EveryKind()) { new(EventKind.Status) };
        return Notification(events, moreEvents: false, now);
    }

    /// <summary>
    /// An error push: ResponseClass Error, ErrorReadEventsFailed, no Notification, the subscription id and last
    /// watermark only in MessageXml. Exchange sends it when it has given up on the subscription.
    /// </summary>
    public GeneratedPush ErrorPush()
    {
        PushCount++;
        var body = PushBodyWriter.ErrorPush(_options.SoapVersion, _options.ServerVersion, SubscriptionId, LastWatermark);
        return new GeneratedPush(body, _options.SoapVersion, PushKind.Error, SubscriptionId, LastWatermark, [], [], moreEvents: false);
    }

    private GeneratedPush Notification(IReadOnlyList<GeneratedEvent> events, bool moreEvents, DateTimeOffset now)
    {
        PushCount++;
        var previous = LastWatermark;
        var watermarks = new string[events.Count];
        var kinds = new EventKind[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            // Real counters advance unevenly (other folders' events share the database's counter).
            _counter += _random.Next(1, 40);
            watermarks[i] = ExchangeIds.Watermark(Database, _counter);
            kinds[i] = events[i].Kind;
        }

        LastWatermark = watermarks[^1];
        var body = PushBodyWriter.Notification(_options.SoapVersion, _options.ServerVersion, SubscriptionId, previous, moreEvents, events, watermarks, now);
        var kind = events.All(e => e.Kind == EventKind.Status) ? PushKind.Heartbeat : PushKind.Events;
        return new GeneratedPush(body, _options.SoapVersion, kind, SubscriptionId, previous, watermarks, kinds, moreEvents);
    }

    private Guid NextGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
