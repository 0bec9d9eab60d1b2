using PushListener.Protocol;
using PushListener.Simulator.Generation;

namespace PushListener.Simulator.Load;

/// <summary>
/// Request bodies for load mode, generated once and stamped per request: each template is a realistic push of one
/// subscription, and every request gets fresh watermarks written over the template's, so that no two requests are the
/// same notification and a listener's dedupe cannot answer from memory. Chains across requests are not kept.
/// Thread-safe.
/// </summary>
internal sealed class LoadBodyPool
{
    // Room for this many watermarks per push in the per-request counter, so requests never share one.
    private const int WatermarkSlots = 256;

    private readonly Template[] _templates;

    public LoadBodyPool(GeneratorOptions options, int subscriptions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxEventsPerPush >= WatermarkSlots)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxEventsPerPush must stay below 256 in load mode.");
        }

        SoapVersion = options.SoapVersion;
        var generator = new PushGenerator(options);
        _templates = new Template[Math.Max(1, subscriptions)];
        for (var i = 0; i < _templates.Length; i++)
        {
            var stream = generator.CreateSubscription(i);
            // Mostly events, some heartbeats, roughly the mix a listener sees.
            var push = i % 8 == 7 ? stream.Heartbeat(now) : stream.NextActivity(now)[0];
            _templates[i] = new Template(push.Body.ToArray(), Locate(push), stream.Database);
        }
    }

    public SoapVersion SoapVersion { get; }

    public int Count => _templates.Length;

    /// <summary>The body of request number <paramref name="sequence"/>: template <c>sequence % Count</c>, watermarks unique to it.</summary>
    public byte[] Build(long sequence)
    {
        var template = _templates[sequence % _templates.Length];
        var body = template.Body.ToArray();
        var counter = (sequence + 1) * WatermarkSlots;
        for (var i = 0; i < template.Offsets.Length; i++)
        {
            // Increasing within the request, as a chain is: PreviousWatermark first, then each event's.
            ExchangeIds.WriteWatermark(body.AsSpan(template.Offsets[i]), template.Database, counter + i);
        }

        return body;
    }

    private static int[] Locate(GeneratedPush push)
    {
        var body = push.Body.Span;
        var watermarks = new List<string>(push.Watermarks.Count + 1) { push.PreviousWatermark! };
        watermarks.AddRange(push.Watermarks);
        var offsets = new int[watermarks.Count];
        var from = 0;
        for (var i = 0; i < watermarks.Count; i++)
        {
            var at = body[from..].IndexOf(System.Text.Encoding.ASCII.GetBytes(watermarks[i]));
            if (at < 0)
            {
                throw new InvalidOperationException("A generated watermark is missing from its body.");
            }

            offsets[i] = from + at;
            from += at + ExchangeIds.WatermarkLength;
        }

        return offsets;
    }

    private sealed record Template(byte[] Body, int[] Offsets, Guid Database);
}
