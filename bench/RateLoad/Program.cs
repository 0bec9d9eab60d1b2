using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

// Open-loop load at a fixed rate: request n is due at start + n / rate and is sent then, whether or not earlier ones have
// been answered; its latency counts from that scheduled time, so a stall is charged to every request it held up (no
// coordinated omission). Bodies are the same distinct, chained Exchange Online pushes as bench/wrk/push.lua.
//
// Usage: PushListener.Bench.RateLoad --url URL [--rate 2000] [--duration 20] [--warmup 5] [--connections 256]
//                                    [--subscriptions 1000] [--run N] [--tsv FILE]
// The TSV line: rate, seconds, sent, ok, failed, achieved req/s, p50, p90, p99, p99.9, max (ms, from the scheduled time),
// p99 of the generator's own send lag (ms).
var options = Options.Parse(args);
using var client = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Connections,
    AutomaticDecompression = DecompressionMethods.GZip,
    UseProxy = false,
    UseCookies = false,
    AllowAutoRedirect = false,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
})
{
    Timeout = TimeSpan.FromSeconds(10),
};

var bodies = new PushBodies(options.Subscriptions, options.Run);
var warmup = (long)(options.Rate * options.WarmupSeconds);
var measured = (long)(options.Rate * options.DurationSeconds);
var total = warmup + measured;
var latency = new long[total];
var lag = new long[total];
var ok = new bool[total];
var outstanding = new List<Task>((int)Math.Min(total, int.MaxValue));
var ticksPerRequest = Stopwatch.Frequency / options.Rate;
var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 10);

// The schedule runs on its own thread: Thread.Sleep(1) wakes about every millisecond even when the thread pool is
// busy, so requests fall due in small bursts and go out up to about a millisecond late. That lag counts in their
// latency (the TSV reports its p99) and is the same for every app measured; spinning for sub-millisecond precision
// would take a core from the server on this two-core machine.
var scheduler = new Thread(() =>
{
    for (long n = 0; n < total; n++)
    {
        var due = start + (long)(n * ticksPerRequest);
        while (Stopwatch.GetTimestamp() < due)
        {
            Thread.Sleep(1);
        }

        outstanding.Add(SendAsync(n, due));
    }
})
{
    Name = "schedule",
    Priority = ThreadPriority.AboveNormal,
};
scheduler.Start();
scheduler.Join();
await Task.WhenAll(outstanding);
var elapsed = (double)measured / options.Rate;
Report(options, warmup, measured, elapsed);
return 0;

async Task SendAsync(long n, long due)
{
    lag[n] = Stopwatch.GetTimestamp() - due;
    using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(bodies.Build(n)) };
    request.Content.Headers.TryAddWithoutValidation("Content-Type", "text/xml; charset=utf-8");
    request.Headers.TryAddWithoutValidation("Accept", "text/xml");
    request.Headers.TryAddWithoutValidation("SOAPAction", "http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification");
    try
    {
        using var response = await client.SendAsync(request);
        var reply = await response.Content.ReadAsByteArrayAsync();
        ok[n] = response.IsSuccessStatusCode && reply.AsSpan().IndexOf("<m:SubscriptionStatus>OK<"u8) >= 0;
    }
    catch (HttpRequestException)
    {
        ok[n] = false;
    }
    catch (TaskCanceledException)
    {
        ok[n] = false;
    }

    latency[n] = Stopwatch.GetTimestamp() - due;
}

void Report(Options o, long skip, long count, double seconds)
{
    var lat = latency.AsSpan((int)skip, (int)count).ToArray();
    var lags = lag.AsSpan((int)skip, (int)count).ToArray();
    var good = ok.AsSpan((int)skip, (int)count).ToArray().Count(x => x);
    Array.Sort(lat);
    Array.Sort(lags);
    double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
    double P(long[] sorted, double p) => Ms(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)]);
    var fields = new[]
    {
        o.Rate.ToString("F0", CultureInfo.InvariantCulture),
        o.DurationSeconds.ToString("F0", CultureInfo.InvariantCulture),
        count.ToString(CultureInfo.InvariantCulture),
        good.ToString(CultureInfo.InvariantCulture),
        (count - good).ToString(CultureInfo.InvariantCulture),
        (good / seconds).ToString("F0", CultureInfo.InvariantCulture),
        P(lat, 0.50).ToString("F2", CultureInfo.InvariantCulture),
        P(lat, 0.90).ToString("F2", CultureInfo.InvariantCulture),
        P(lat, 0.99).ToString("F2", CultureInfo.InvariantCulture),
        P(lat, 0.999).ToString("F2", CultureInfo.InvariantCulture),
        Ms(lat[^1]).ToString("F2", CultureInfo.InvariantCulture),
        P(lags, 0.99).ToString("F2", CultureInfo.InvariantCulture),
    };
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{o.Url} at {o.Rate:F0} req/s for {o.DurationSeconds:F0} s (after {o.WarmupSeconds:F0} s warm-up): {count} sent, {good} OK; latency from the scheduled time p50 {fields[6]} ms, p90 {fields[7]} ms, p99 {fields[8]} ms, p99.9 {fields[9]} ms, max {fields[10]} ms; send lag p99 {fields[11]} ms"));
    if (o.Tsv is not null)
    {
        File.WriteAllText(o.Tsv, string.Join('\t', fields) + "\n");
    }
}

internal sealed record Options(Uri Url, double Rate, double DurationSeconds, double WarmupSeconds, int Connections, int Subscriptions, long Run, string? Tsv)
{
    public static Options Parse(string[] args)
    {
        string? Get(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        double Number(string name, double fallback) => Get(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
        var url = Get("--url") ?? throw new ArgumentException("--url is required");
        var options = new Options(
            new Uri(url),
            Number("--rate", 2000),
            Number("--duration", 20),
            Number("--warmup", 5),
            (int)Number("--connections", 256),
            (int)Number("--subscriptions", 1000),
            (long)Number("--run", DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 1_000_000),
            Get("--tsv"));
        if (options.Rate <= 0 || options.DurationSeconds <= 0 || options.WarmupSeconds < 0 || options.Connections < 1 || options.Subscriptions < 1)
        {
            throw new ArgumentException("--rate, --duration, --connections and --subscriptions must be positive, --warmup not negative.");
        }

        return options;
    }
}

/// <summary>
/// Distinct, chained pushes (bench/wrk/push.lua's, byte for byte in shape): request n goes to subscription n % S, and each
/// subscription's pushes chain their watermarks, so every request is a new notification and none looks like a lost push.
/// </summary>
internal sealed class PushBodies(int subscriptions, long run)
{
    private const string Head =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap11:Envelope xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\">" +
        "<soap11:Header><t:RequestServerVersion xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\" " +
        "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" Version=\"Exchange2013\" /></soap11:Header>" +
        "<soap11:Body><m:SendNotification xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" " +
        "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><m:ResponseMessages>" +
        "<m:SendNotificationResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode><m:Notification>" +
        "<t:SubscriptionId>";

    private const string Tail =
        "</t:Watermark><t:TimeStamp>2026-11-20T09:41:27Z</t:TimeStamp>" +
        "<t:ItemId Id=\"AAMkADlhNGM1ZjBlLTJiNzEtNGQzZS04YzA5LTZmMWUyN2Q0YjhhMwBGAAAAAAClax62ndKZI5cs4WproCsbBwCtyHrscZ+x9amhpGxwzUgikPw23FIgAAA=\" " +
        "ChangeKey=\"CQAAABYAAAA8TA9PBwOwN9+9AOV2YY53yhQOXi7a\" />" +
        "<t:ParentFolderId Id=\"AAMkADlhNGM1ZjBlLTJiNzEtNGQzZS04YzA5LTZmMWUyN2Q0YjhhMwAuAAAAAABMBaVU9aYfKFRROpX5Z0WoAQCncAqMO8+DTL9zmhaj345M2RezDcAdAAA=\" " +
        "ChangeKey=\"AQAAABYAAACK1x63zvuOWDLimpNix0To0pBZyMFm\" /></t:CreatedEvent></m:Notification>" +
        "</m:SendNotificationResponseMessage></m:ResponseMessages></m:SendNotification></soap11:Body></soap11:Envelope>";

    private readonly string[] _ids = [.. Enumerable.Range(0, subscriptions).Select(slot => Convert.ToBase64String(Encoding.Latin1.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"\u0027\0DB7PR04MB{slot % 10000:D4}.eurprd04.prod.outlook.com\u0010\0\0\0{run % 1_000_000:D6}99{slot:D8}"))))];

    public byte[] Build(long n)
    {
        var slot = (int)(n % _ids.Length);
        var sequence = n / _ids.Length;
        return Encoding.UTF8.GetBytes(string.Concat(
            Head,
            _ids[slot],
            "</t:SubscriptionId><t:PreviousWatermark>",
            Watermark(slot, sequence),
            "</t:PreviousWatermark><t:MoreEvents>false</t:MoreEvents><t:CreatedEvent><t:Watermark>",
            Watermark(slot, sequence + 1),
            Tail));
    }

    private string Watermark(int slot, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"AQAAAEbmwqYW{run % 1_000_000:D6}99{slot:D6}{sequence:D8}AAAAAAAAA=");
}
