namespace PushListener.Benchmarks;

/// <summary>The request bodies the parser benchmark reads, embedded from tests/Fixtures.</summary>
public static class Payloads
{
    private static readonly Dictionary<string, string> Resources = new(StringComparer.Ordinal)
    {
        ["heartbeat"] = "payloads/heartbeat.xml",
        ["one-event"] = "payloads/exchange-online-created.xml",
        ["fifty-events"] = "payloads/fifty-events.xml",
    };

    private static readonly Dictionary<string, byte[]> Cache = new(StringComparer.Ordinal);

    /// <summary>Payload names, smallest first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["heartbeat", "one-event", "fifty-events"];

    /// <summary>The fixture a payload name stands for.</summary>
    public static string FixtureOf(string name) => Path.GetFileName(Resources[name]);

    /// <summary>The body bytes, exactly as the fixture holds them.</summary>
    public static byte[] Load(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var bytes))
            {
                using var stream = typeof(Payloads).Assembly.GetManifestResourceStream(Resources[name])
                    ?? throw new InvalidOperationException($"Embedded payload {name} is missing.");
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                bytes = copy.ToArray();
                Cache[name] = bytes;
            }

            return bytes;
        }
    }
}
