using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Endpoint;

/// <summary>
/// Every case of tests/Fixtures/cases.json through the real service (its own process, real Kestrel on loopback, the inbox
/// and the pipeline) with the JSON-lines handler as the witness of what was delivered: the answer is the status, fault
/// code and reason the manifest says; an accepted push is delivered exactly as the manifest says; a refused one leaves no
/// trace (a valid push for the same subscription, sent after it, is delivered alone: per-subscription order would have
/// delivered anything stored before it first); a body-read failure is logged once, without a stack trace.
/// </summary>
public sealed class ProtocolCaseTests(ProtocolCaseTests.Listener listener) : IClassFixture<ProtocolCaseTests.Listener>
{
    private static readonly Lazy<JsonElement[]> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Fixture.PathOf("cases.json"))).RootElement.EnumerateArray().ToArray());

    public static TheoryData<string> Cases() => new(Manifest.Value.Select(Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Post_Case_IsAnsweredAndDeliveredAsTheManifestSays(string name)
    {
        var entry = Manifest.Value.Single(e => Name(e) == name);
        var file = entry.GetProperty("file").GetString()!;
        var expectedStatus = entry.GetProperty("status").GetInt32();
        var outputBefore = listener.Process.Output.Length;

        var (status, contentType, body) = entry.TryGetProperty("raw", out var raw)
            ? await SendRawAsync(file, raw.GetString()!)
            : await SendAsync(file, entry.TryGetProperty("contentEncoding", out var encoding) ? encoding.GetString() : null);

        Assert.Equal(expectedStatus, status);
        if (entry.TryGetProperty("fault", out var fault))
        {
            var soap12 = file.Contains("soap12", StringComparison.Ordinal);
            Assert.Equal(soap12 ? "application/soap+xml" : "text/xml", contentType);
            var (code, reason) = Soap.FaultOf(body);
            Assert.Equal(fault.GetString(), code);
            Assert.Contains(entry.GetProperty("reason").GetString()!, reason, StringComparison.Ordinal);
            if (entry.TryGetProperty("notUnderstood", out var names))
            {
                var blocks = XDocument.Parse(body).Root!.Element(Soap.Soap12 + "Header")!.Elements(Soap.Soap12 + "NotUnderstood")
                    .Select(e => Resolve(e, e.Attribute("qname")!.Value).ToString());
                Assert.Equal(names.EnumerateArray().Select(n => n.GetString()), blocks);
            }
        }
        else if (expectedStatus == 0)
        {
            Assert.Equal(string.Empty, body);
        }
        else if (expectedStatus != 200)
        {
            Assert.Equal("text/plain", contentType);
            Assert.Contains(entry.GetProperty("reason").GetString()!, body, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("OK", Soap.StatusOf(body));
        }

        if (entry.TryGetProperty("subscription", out var subscription))
        {
            var id = subscription.GetString()!;
            if (expectedStatus == 200)
            {
                await Eventually.TrueAsync(() => listener.DeliveredFor(id).Count > 0, TimeSpan.FromSeconds(20));
                var delivered = Assert.Single(listener.DeliveredFor(id));
                AssertContains(entry.GetProperty("delivered"), delivered, "$");
            }
            else
            {
                await AssertNothingDeliveredAsync(id);
            }
        }

        // An HTTP-level refusal is one line at Warning; no refusal or abandoned body leaves a stack trace or an "unhandled" error.
        var marker = $" with HTTP {expectedStatus}: ";
        if (expectedStatus is >= 400 and < 500)
        {
            await Eventually.TrueAsync(() => CountOccurrences(listener.Process.Output[outputBefore..], marker) > 0);
        }

        var output = listener.Process.Output[outputBefore..];
        Assert.Equal(expectedStatus is >= 400 and < 500 ? 1 : 0, CountOccurrences(output, marker));
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("unhandled exception", output, StringComparison.OrdinalIgnoreCase);
    }

    private static string Name(JsonElement entry) =>
        entry.GetProperty("file").GetString()
        + (entry.TryGetProperty("contentEncoding", out var encoding) ? " (Content-Encoding: " + encoding.GetString() + ")" : string.Empty)
        + (entry.TryGetProperty("raw", out var raw) ? " (" + raw.GetString() + ")" : string.Empty);

    private async Task<(int Status, string? ContentType, string Body)> SendAsync(string file, string? contentEncoding)
    {
        using var request = Soap.PostFixture(file);
        if (contentEncoding is not null)
        {
            foreach (var coding in contentEncoding.Split(',', StringSplitOptions.TrimEntries))
            {
                request.Content!.Headers.ContentEncoding.Add(coding);
            }
        }

        using var response = await listener.Client.SendAsync(request);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A request written byte for byte. <paramref name="mode"/>: <c>send</c> writes it and reads the answer; <c>stall</c> does
    /// the same, but the request's body is cut short, so the server waits for the rest until the sender is below its minimum
    /// data rate; <c>abort</c> writes it and closes the sending side, so the server sees the body end early. Status 0: the
    /// connection closed without an answer.
    /// </summary>
    private async Task<(int Status, string? ContentType, string Body)> SendRawAsync(string file, string mode)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(listener.Process.BaseAddress.Host, listener.Process.BaseAddress.Port, timeout.Token);
        await socket.SendAsync(Fixture.Bytes(file), SocketFlags.None, timeout.Token);
        if (mode == "abort")
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException) when (received.Length == 0)
        {
            // Reset by the server: no answer.
        }

        var text = Encoding.UTF8.GetString(received.ToArray());
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headerEnd < 0)
        {
            return (0, null, text);
        }

        var head = text[..headerEnd].Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var contentType = head.FirstOrDefault(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)) is { } line
            ? MediaTypeHeaderValue.Parse(line["Content-Type:".Length..].Trim()).MediaType
            : null;
        var body = text[(headerEnd + 4)..];
        if (head.Any(h => h.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)))
        {
            body = Dechunk(body);
        }

        return (status, contentType, body);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[position..lineEnd], 16);
            if (size == 0)
            {
                return body.ToString();
            }

            body.Append(chunked, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }

    private async Task AssertNothingDeliveredAsync(string subscription)
    {
        const int Sentinel = 900_001;
        using var response = await listener.Client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, Sentinel)));
        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        var sentinelWatermark = PushBuilder.Watermark(subscription, Sentinel);
        await Eventually.TrueAsync(() => listener.DeliveredFor(subscription).Count > 0, TimeSpan.FromSeconds(20));
        var delivered = Assert.Single(listener.DeliveredFor(subscription));
        Assert.Equal(sentinelWatermark, delivered.GetProperty("events")[0].GetProperty("watermark").GetString());
    }

    /// <summary>Every property of <paramref name="expected"/> is in <paramref name="actual"/> with the same value; arrays match item by item.</summary>
    private static void AssertContains(JsonElement expected, JsonElement actual, string path)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.True(actual.ValueKind == JsonValueKind.Object, $"{path} is {actual.ValueKind}, expected an object");
                foreach (var property in expected.EnumerateObject())
                {
                    Assert.True(actual.TryGetProperty(property.Name, out var value), $"{path}.{property.Name} is missing");
                    AssertContains(property.Value, value, path + "." + property.Name);
                }

                break;
            case JsonValueKind.Array:
                Assert.True(actual.ValueKind == JsonValueKind.Array, $"{path} is {actual.ValueKind}, expected an array");
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path} has {actual.GetArrayLength()} items, expected {expected.GetArrayLength()}");
                for (var i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertContains(expected[i], actual[i], $"{path}[{i}]");
                }

                break;
            default:
                Assert.True(expected.ValueKind == actual.ValueKind && expected.GetRawText() == actual.GetRawText(), $"{path} is {actual.GetRawText()}, expected {expected.GetRawText()}");
                break;
        }
    }

    private static XName Resolve(XElement scope, string qname)
    {
        var colon = qname.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? XName.Get(qname) : scope.GetNamespaceOfPrefix(qname[..colon])! + qname[(colon + 1)..];
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>The service as a process with the JSON-lines handler writing every delivery to a file.</summary>
    public sealed class Listener : IAsyncLifetime
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "pushlistener-tests", "cases-" + Guid.NewGuid().ToString("N"));

        internal ListenerProcess Process { get; private set; } = null!;

        public HttpClient Client { get; private set; } = null!;

        private string Delivered => Path.Combine(_folder, "delivered.jsonl");

        public async Task InitializeAsync()
        {
            Process = await ListenerProcess.StartAsync(
            [
                "--PushListener:Inbox:DataFolder=" + Path.Combine(_folder, "data"),
                "--PushListener:Handlers:log:Enabled=false",
                "--PushListener:Handlers:record:Type=JsonLines",
                "--PushListener:Handlers:record:Settings:Path=" + Delivered,
            ]);
            Client = new HttpClient { BaseAddress = Process.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        }

        /// <summary>The notification and error documents delivered for <paramref name="subscription"/> so far (lifecycle events left out).</summary>
        public List<JsonElement> DeliveredFor(string subscription)
        {
            if (!File.Exists(Delivered))
            {
                return [];
            }

            using var stream = new FileStream(Delivered, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var lines = new List<JsonElement>();
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var document = JsonDocument.Parse(line).RootElement.Clone();
                if (document.GetProperty("type").GetString() != "lifecycle" && document.GetProperty("subscriptionId").GetString() == subscription)
                {
                    lines.Add(document);
                }
            }

            return lines;
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            await Process.DisposeAsync();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
