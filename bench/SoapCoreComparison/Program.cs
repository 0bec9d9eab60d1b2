using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PushListener.Bench.SoapCoreComparison;
using PushListener.Protocol;
using SoapCore;

// Usage: PushListener.Bench.SoapCoreComparison --fixtures tests/Fixtures --listener http://127.0.0.1:5099/ews/notifications [--out file.md]
// Hosts the SoapCore service on a loopback port, sends every Exchange-shaped fixture and every hostile case to it and to
// the listener, and prints a markdown table: status and time on each side, the events SoapCore's serializer bound, and
// the events the body carries according to the protocol rule (PushListener.Protocol).
var fixtures = Arg("--fixtures") ?? "tests/Fixtures";
var listenerUrl = Arg("--listener") ?? throw new ArgumentException("--listener URL of a running PushListener endpoint is required");
var outFile = Arg("--out");

var builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Services.AddSoapCore();
var service = new CountingNotificationService();
builder.Services.AddSingleton<INotificationServicePortType>(service);
await using var app = builder.Build();

// As the SoapCore README shows it: one endpoint, the XmlSerializer, default encoder options (SOAP 1.1).
((IApplicationBuilder)app).UseSoapEndpoint<INotificationServicePortType>(options =>
{
    options.Path = "/ews/notifications";
    options.SoapSerializer = SoapSerializer.XmlSerializer;
});
await app.StartAsync();
var soapCoreUrl = app.Urls.First() + "/ews/notifications";

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
var rows = new List<Row>();
foreach (var testCase in Cases(fixtures))
{
    var carried = Carried(testCase);
    var before = service.Events;
    var soapCore = await SendAsync(http, soapCoreUrl, testCase);
    var bound = service.Events - before;
    var listener = await SendAsync(http, listenerUrl, testCase);
    rows.Add(new Row(testCase, soapCore, bound, listener, carried));
}

var report = Report(rows);
Console.WriteLine(report);
if (outFile is not null)
{
    await File.WriteAllTextAsync(outFile, report);
}

await app.StopAsync();
return 0;

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static IEnumerable<Case> Cases(string fixtures)
{
    foreach (var path in Directory.GetFiles(fixtures, "*.xml").Order(StringComparer.Ordinal))
    {
        var body = File.ReadAllBytes(path);
        yield return new Case(Path.GetFileName(path), Exchange: true, body, Soap12(body), "POST", null, null);
    }

    using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(fixtures, "cases.json")));
    foreach (var entry in manifest.RootElement.EnumerateArray())
    {
        if (entry.GetProperty("status").GetInt32() == 200 || entry.TryGetProperty("raw", out _))
        {
            continue;
        }

        var file = entry.GetProperty("file").GetString()!;
        var encoding = entry.TryGetProperty("contentEncoding", out var e) ? e.GetString() : null;
        var body = File.ReadAllBytes(Path.Combine(fixtures, file));
        yield return new Case(file + (encoding is null ? string.Empty : $" ({encoding})"), Exchange: false, body, file.Contains("soap12", StringComparison.Ordinal), "POST", null, encoding);
    }

    var valid = File.ReadAllBytes(Path.Combine(fixtures, "exchange-online-created.xml"));
    var text = Encoding.UTF8.GetString(valid);
    yield return new Case("20 MB body (MessageText padding)", false, Encoding.UTF8.GetBytes(text.Replace("<m:ResponseCode>", "<m:MessageText>" + new string('x', 20 * 1024 * 1024) + "</m:MessageText><m:ResponseCode>", StringComparison.Ordinal)), false, "POST", null, null);
    var invalidUtf8 = (byte[])valid.Clone();
    var at = Array.IndexOf(invalidUtf8, (byte)'N', 600);
    invalidUtf8[at] = 0xC3;
    invalidUtf8[at + 1] = 0x28;
    yield return new Case("invalid UTF-8", false, invalidUtf8, false, "POST", null, null);
    yield return new Case("PUT instead of POST", false, valid, false, "PUT", null, null);
    yield return new Case("JSON content type", false, valid, false, "POST", "application/json", null);
    yield return new Case("100,000-deep nesting", false, Encoding.UTF8.GetBytes(text.Replace("<m:ResponseCode>", string.Concat(Enumerable.Repeat("<d:n xmlns:d=\"urn:deep\">", 100_000)) + string.Concat(Enumerable.Repeat("</d:n>", 100_000)) + "<m:ResponseCode>", StringComparison.Ordinal)), false, "POST", null, null);
    yield return new Case("gzip bomb (1 GiB of zeros, gzip)", false, GzipBomb(), false, "POST", null, "gzip");
}

static bool Soap12(byte[] body)
{
    using var reader = System.Xml.XmlReader.Create(new MemoryStream(body));
    reader.MoveToContent();
    return reader.NamespaceURI == "http://www.w3.org/2003/05/soap-envelope";
}

static byte[] GzipBomb()
{
    using var buffer = new MemoryStream();
    using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize))
    {
        var zeros = new byte[1024 * 1024];
        for (var i = 0; i < 1024; i++)
        {
            gzip.Write(zeros);
        }
    }

    return buffer.ToArray();
}

static string Carried(Case testCase)
{
    if (!testCase.Exchange && (testCase.Method != "POST" || testCase.ContentType is not null || testCase.Encoding is not null))
    {
        return "refused (HTTP)";
    }

    try
    {
        var push = SendNotificationReader.Read(testCase.Body, new PushReaderOptions { MaxCharacters = 1024 * 1024 });
        return push.EventCount.ToString(CultureInfo.InvariantCulture);
    }
    catch (PushRequestException)
    {
        return "refused";
    }
}

static async Task<Outcome> SendAsync(HttpClient http, string url, Case testCase)
{
    using var request = new HttpRequestMessage(new HttpMethod(testCase.Method), url) { Content = new ByteArrayContent(testCase.Body) };
    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(testCase.ContentType
        ?? (testCase.Soap12 ? $"application/soap+xml; charset=utf-8; action=\"{Ews.SendNotificationAction}\"" : "text/xml; charset=utf-8"));
    if (!testCase.Soap12)
    {
        request.Headers.TryAddWithoutValidation("SOAPAction", $"\"{Ews.SendNotificationAction}\"");
    }

    if (testCase.Encoding is not null)
    {
        request.Content.Headers.ContentEncoding.Add(testCase.Encoding);
    }

    var clock = Stopwatch.StartNew();
    try
    {
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var ok = (int)response.StatusCode == 200 && body.Contains(">OK</", StringComparison.Ordinal);
        return new Outcome(ok ? "200 OK" : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) + FaultCode(body), clock.Elapsed, ok);
    }
    catch (TaskCanceledException)
    {
        return new Outcome("no answer in 30 s", clock.Elapsed, false);
    }
    catch (HttpRequestException ex)
    {
        return new Outcome("connection error: " + ex.HttpRequestError, clock.Elapsed, false);
    }
}

// The fault code, so that the table shows what kind of refusal it was.
static string FaultCode(string body)
{
    foreach (var marker in new[] { "<faultcode>", ":Value>" })
    {
        var start = body.IndexOf(marker, StringComparison.Ordinal);
        if (start >= 0)
        {
            start += marker.Length;
            var end = body.IndexOf('<', start);
            return end > start ? " " + body[start..end] : string.Empty;
        }
    }

    return string.Empty;
}

static string Report(List<Row> rows)
{
    var text = new StringBuilder();
    var exchange = rows.Where(r => r.Case.Exchange).ToList();
    var hostile = rows.Where(r => !r.Case.Exchange).ToList();
    string Summary(Func<Row, Outcome> side) =>
        $"Exchange-shaped answered OK: {exchange.Count(r => side(r).Ok)} of {exchange.Count}; hostile refused: {hostile.Count(r => !side(r).Ok)} of {hostile.Count}";
    text.AppendLine("| | SoapCore 1.2.1.18 | PushListener |");
    text.AppendLine("|---|---|---|");
    text.AppendLine($"| summary | {Summary(r => r.SoapCore)} | {Summary(r => r.Listener)} |");
    text.AppendLine($"| answered OK although the rule refuses the body or events were not bound | {rows.Count(r => r.SoapCore.Ok && (r.Carried.StartsWith("refused", StringComparison.Ordinal) || (int.TryParse(r.Carried, out var n) && r.Bound < n)))} | {rows.Count(r => r.Listener.Ok && r.Carried.StartsWith("refused", StringComparison.Ordinal))} |");
    text.AppendLine($"| slowest answer | {rows.Max(r => r.SoapCore.Elapsed).TotalSeconds:F1} s | {rows.Max(r => r.Listener.Elapsed).TotalSeconds:F1} s |");
    text.AppendLine();
    text.AppendLine("| case | body carries (events, by the rule) | SoapCore | events SoapCore bound | PushListener |");
    text.AppendLine("|---|---|---|---|---|");
    foreach (var row in rows)
    {
        text.AppendLine($"| {(row.Case.Exchange ? string.Empty : "hostile: ")}{row.Case.Name} | {row.Carried} | {row.SoapCore.Status} ({row.SoapCore.Elapsed.TotalMilliseconds:F0} ms) | {(row.SoapCore.Ok ? row.Bound.ToString(CultureInfo.InvariantCulture) : "-")} | {row.Listener.Status} ({row.Listener.Elapsed.TotalMilliseconds:F0} ms) |");
    }

    return text.ToString();
}

internal sealed record Case(string Name, bool Exchange, byte[] Body, bool Soap12, string Method, string? ContentType, string? Encoding);

internal sealed record Outcome(string Status, TimeSpan Elapsed, bool Ok);

internal sealed record Row(Case Case, Outcome SoapCore, int Bound, Outcome Listener, string Carried);
