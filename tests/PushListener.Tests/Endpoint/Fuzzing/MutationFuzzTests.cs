using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PushListener.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PushListener.Tests.Endpoint.Fuzzing;

/// <summary>
/// Seeded mutation fuzzing of the fixtures through the real HTTP pipeline (in memory). Every answer must be a 200 with a
/// schema-valid SendNotificationResult, a 4xx, or an HTTP 500 with a SOAP fault in the request's SOAP version; for every
/// 200, what the handlers were given must be exactly what <see cref="ReferenceReader"/> (the rule written a second time)
/// reads in the body, and for every refusal no handler may run. The witness is a recording handler in the pipeline, run
/// inside the request (the inbox turned off, so 20,000 requests fit in seconds and the witness has seen everything
/// before the answer); storing and delivering from the inbox is covered by <see cref="ProtocolCaseTests"/> with the
/// JSON-lines handler and by the inbox's own tests.
/// </summary>
public sealed class MutationFuzzTests(ITestOutputHelper output)
{
    private const int MaxMessages = 100;

    // Fixed, so every run tries the same 20,000 cases and a failure names one that reproduces; the environment variables
    // let a developer explore other seeds and longer runs without editing the test.
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("PUSHLISTENER_FUZZ_SEED"), out var seed) ? seed : 20_261_201;
    private static readonly int Mutations = int.TryParse(Environment.GetEnvironmentVariable("PUSHLISTENER_FUZZ_MUTATIONS"), out var count) ? Math.Max(count, 20_000) : 20_000;

    [Fact]
    public async Task MutatedFixtures_AreAnsweredWithinTheInvariants_AndOkOnlyWhenDeliveredWhole()
    {
        var witness = new RecordingHandler("witness", filter: NotificationFilter.Everything);
        await using var factory = new ListenerFactory()
            .With("PushListener:Handlers:log:Enabled", "false")
            .With("PushListener:Inbox:Enabled", "false")
            .WithServices(services =>
            {
                // 20,000 requests, most of them refused: their Warning lines would cost more than the requests.
                services.PostConfigure<LoggerFilterOptions>(o =>
                {
                    o.Rules.Clear();
                    o.MinLevel = LogLevel.None;
                });
                services.AddNotificationHandler(witness);
            });
        using var client = factory.CreateClient();
        var fixtures = LoadFixtures();
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var validResults = new HashSet<string>(StringComparer.Ordinal);

        var tried = 0;
        for (var i = 0; i < Mutations && failures.Count < 10; i++, tried++)
        {
            var random = new Random(unchecked((Seed * 100_003) + i));
            var (name, original, soap12) = fixtures[random.Next(fixtures.Count)];
            var mutator = new EnvelopeMutator(random);
            var document = new XDocument(original);
            mutator.Mutate(document);
            var body = EnvelopeMutator.Serialize(document);
            if (random.Next(10) == 0)
            {
                body = mutator.Damage(body);
            }

            var expected = ReferenceReader.Read(body, MaxMessages);
            if (expected is not null && !expected.StartsWith(soap12 ? "soap=1.2" : "soap=1.1", StringComparison.Ordinal))
            {
                expected = null; // an envelope of the other SOAP version than the Content-Type: VersionMismatch
            }

            var encoding = random.Next(100) switch
            {
                < 4 => "gzip",
                < 6 => "br-declared-on-plain",
                6 => "compress",
                _ => null,
            };
            using var request = Request(body, soap12, encoding);
            witness.Calls.Clear();
            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            var reply = await response.Content.ReadAsStringAsync();
            var calls = witness.Calls.ToList();
            var delivered = calls.Count == 0 ? null : ReferenceReader.Describe(soap12, calls[0].Push.RequestServerVersion, calls.Select(c => c.Message!));
            var problem = Check(status, reply, response.Content.Headers.ContentType?.MediaType, soap12, encoding, expected, delivered, validResults);
            var outcome = status == 200 ? "200" : status == 500 ? "500 fault" : status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (problem is not null)
            {
                failures.Add($"case {i} (seed {Seed}), fixture {name}, encoding {encoding ?? "none"}, mutations [{string.Join("; ", mutator.Applied)}]: {problem}\n"
                    + $"body (base64): {Convert.ToBase64String(body)}\nexpected:\n{expected ?? "(refused)"}\ndelivered:\n{delivered ?? "(nothing)"}");
            }
        }

        output.WriteLine($"{tried} mutations of {fixtures.Count} fixtures, seed {Seed}: " + string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} x {o.Value}")));
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));

        // The run must reach both sides of the rule, or it proves nothing.
        Assert.Equal(Mutations, tried);
        Assert.True(outcomes.GetValueOrDefault("200") > Mutations / 20, "too few accepted mutations");
        Assert.True(outcomes.GetValueOrDefault("500 fault") > Mutations / 4, "too few refused mutations");
    }

    private static string? Check(int status, string reply, string? mediaType, bool soap12, string? encoding, string? expected, string? delivered, HashSet<string> validResults)
    {
        var declaredWrong = encoding is "br-declared-on-plain" or "compress";
        if (encoding == "compress" && status != 415)
        {
            return $"HTTP {status} for an unsupported Content-Encoding; expected 415";
        }

        switch (status)
        {
            case 200:
                if (declaredWrong)
                {
                    return "OK for a body whose Content-Encoding does not match";
                }

                if (mediaType != (soap12 ? "application/soap+xml" : "text/xml") || !IsResult(reply, soap12, validResults))
                {
                    return "200 without a schema-valid SendNotificationResult in the request's SOAP version";
                }

                if (expected is null)
                {
                    return "OK for a body the rule refuses";
                }

                if (delivered is null)
                {
                    return "OK but no handler ran";
                }

                return delivered == expected ? null : "OK but what the handlers were given differs from what the body carried";
            case >= 400 and < 500:
                if (delivered is not null)
                {
                    return $"HTTP {status} but a handler ran";
                }

                return declaredWrong ? null : $"HTTP {status} for a plain body (expected an answer in SOAP)";
            case 500:
                if (delivered is not null)
                {
                    return "a fault, but a handler ran";
                }

                if (mediaType != (soap12 ? "application/soap+xml" : "text/xml") || !IsFault(reply, soap12))
                {
                    return "HTTP 500 without a SOAP fault in the request's SOAP version";
                }

                return expected is not null && !declaredWrong ? "refused a body the rule accepts: " + Soap.FaultOf(reply).Reason : null;
            default:
                return $"HTTP {status}";
        }
    }

    private static bool IsResult(string reply, bool soap12, HashSet<string> validResults)
    {
        if (validResults.Contains(reply))
        {
            return true;
        }

        var root = XDocument.Parse(reply).Root!;
        var result = root.Element((soap12 ? Soap.Soap12 : Soap.Soap11) + "Body")?.Element(Soap.M + "SendNotificationResult");
        if (result is null || ContractSchemas.Validate(result).Count > 0)
        {
            return false;
        }

        validResults.Add(reply);
        return true;
    }

    private static bool IsFault(string reply, bool soap12)
    {
        try
        {
            var ns = soap12 ? Soap.Soap12 : Soap.Soap11;
            var fault = XDocument.Parse(reply).Root?.Element(ns + "Body")?.Element(ns + "Fault");
            return fault is not null && (soap12
                ? fault.Element(ns + "Code")?.Element(ns + "Value") is not null && fault.Element(ns + "Reason")?.Element(ns + "Text") is not null
                : fault.Element("faultcode") is not null && fault.Element("faultstring") is not null);
        }
        catch (XmlException)
        {
            return false;
        }
    }

    private static HttpRequestMessage Request(byte[] body, bool soap12, string? encoding)
    {
        var content = encoding == "gzip" ? Gzip(body) : body;
        var request = soap12
            ? Soap.Post(content, "application/soap+xml; charset=utf-8; action=\"" + Soap.Action + "\"", soapAction: null)
            : Soap.Post(content);
        if (encoding is not null)
        {
            request.Content!.Headers.ContentEncoding.Add(encoding == "br-declared-on-plain" ? "br" : encoding);
        }

        return request;
    }

    private static byte[] Gzip(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(body);
        }

        return buffer.ToArray();
    }

    private static List<(string Name, XDocument Document, bool Soap12)> LoadFixtures()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var list = new List<(string, XDocument, bool)>();
        foreach (var path in Directory.GetFiles(folder, "*.xml").Concat(Directory.GetFiles(Path.Combine(folder, "hostile"), "*.xml")).Order(StringComparer.Ordinal))
        {
            try
            {
                using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                var document = XDocument.Load(reader);
                list.Add((Path.GetRelativePath(folder, path), document, document.Root!.Name.Namespace == Soap.Soap12));
            }
            catch (XmlException)
            {
                // DTD fixtures: nothing structural to mutate.
            }
        }

        return list;
    }
}
