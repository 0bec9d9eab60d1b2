using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Endpoint;

public sealed class ContractTests : IClassFixture<ListenerFactory>
{
    private static readonly XNamespace Wsdl = "http://schemas.xmlsoap.org/wsdl/";
    private static readonly XNamespace WsdlSoap = "http://schemas.xmlsoap.org/wsdl/soap/";
    private static readonly XNamespace WsdlSoap12 = "http://schemas.xmlsoap.org/wsdl/soap12/";
    private static readonly XNamespace Xs = "http://www.w3.org/2001/XMLSchema";
    private static readonly XNamespace T = "http://schemas.microsoft.com/exchange/services/2006/types";
    private readonly ListenerFactory _factory;

    public ContractTests(ListenerFactory factory) => _factory = factory;

    [Fact]
    public async Task GetWsdl_MatchesWhatTheEndpointAccepts()
    {
        using var client = _factory.CreateClient();
        using var response = await client.GetAsync("/ews/notifications?wsdl");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType!.MediaType);
        var wsdl = XDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(Soap.M.NamespaceName, wsdl.Root!.Attribute("targetNamespace")!.Value);
        var operation = wsdl.Descendants(Wsdl + "portType").Single(p => (string?)p.Attribute("name") == "NotificationServicePortType").Element(Wsdl + "operation")!;
        Assert.Equal("SendNotification", (string?)operation.Attribute("name"));
        var actions = wsdl.Descendants(WsdlSoap + "operation").Concat(wsdl.Descendants(WsdlSoap12 + "operation")).Select(o => (string?)o.Attribute("soapAction")).ToList();
        Assert.Equal([Soap.Action, Soap.Action], actions);
        Assert.Single(wsdl.Descendants(WsdlSoap + "binding"));
        Assert.Single(wsdl.Descendants(WsdlSoap12 + "binding"));
        var addresses = wsdl.Descendants(WsdlSoap + "address").Concat(wsdl.Descendants(WsdlSoap12 + "address")).Select(a => (string?)a.Attribute("location")).ToList();
        Assert.Equal(["http://localhost/ews/notifications", "http://localhost/ews/notifications"], addresses);
        var input = wsdl.Descendants(Wsdl + "message").Single(m => (string?)m.Attribute("name") == "SendNotificationSoapIn");
        Assert.Contains(input.Elements(Wsdl + "part"), p => ((string?)p.Attribute("element"))?.EndsWith(":SendNotification", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task GetWsdl_SchemaImportsResolveThroughTheEndpoint_AndCompile()
    {
        using var client = _factory.CreateClient();
        var wsdl = XDocument.Parse(await client.GetStringAsync("/ews/notifications?wsdl"));
        var locations = wsdl.Descendants(Xs + "import").Select(i => (string)i.Attribute("schemaLocation")!).ToList();
        Assert.Contains("http://localhost/ews/notifications?xsd=messages.xsd", locations);

        var set = new System.Xml.Schema.XmlSchemaSet();
        foreach (var location in locations)
        {
            var schema = XDocument.Parse(await client.GetStringAsync(new Uri(location).PathAndQuery));
            foreach (var nested in schema.Descendants(Xs + "import").Select(i => i.Attribute("schemaLocation")).OfType<XAttribute>())
            {
                Assert.StartsWith("http://localhost/ews/notifications?xsd=", nested.Value, StringComparison.Ordinal);
                nested.Remove(); // added to the set explicitly below
            }

            set.Add(null, schema.CreateReader());
        }

        set.Compile();
        Assert.NotNull(set.GlobalElements[new System.Xml.XmlQualifiedName("SendNotification", Soap.M.NamespaceName)]);
        Assert.NotNull(set.GlobalElements[new System.Xml.XmlQualifiedName("SendNotificationResult", Soap.M.NamespaceName)]);
    }

    [Fact]
    public async Task GetUnknownSchema_Is404()
    {
        using var client = _factory.CreateClient();
        using var response = await client.GetAsync("/ews/notifications?xsd=../appsettings.json");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task GetWsdl_BehindProxyWithForwardedHeaders_UsesTheCallersUrl()
    {
        using var factory = new ListenerFactory()
            .With("PushListener:ForwardedHeaders:Enabled", "true")
            .WithServices(s => s.AddSingleton<IStartupFilter, LoopbackRemoteAddress>());
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ews/notifications?wsdl");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "push.example.org");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await client.SendAsync(request);
        var wsdl = XDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.All(wsdl.Descendants(WsdlSoap + "address"), a => Assert.Equal("https://push.example.org/ews/notifications", (string?)a.Attribute("location")));
    }

    [Fact]
    public async Task GetWsdl_ForwardedHeadersDisabled_IgnoresThem()
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ews/notifications?wsdl");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "evil.example.org");

        using var response = await client.SendAsync(request);

        Assert.DoesNotContain("evil.example.org", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public static TheoryData<string> SchemaValidFixtures() =>
        // These carry what the schema does not describe and the listener's rule tolerates (docs/architecture.md): elements
        // newer servers might add, an unknown event (delivered as Unknown), SOAP attributes on the RequestServerVersion header.
        new(Fixture.ValidNames().Where(n => n is not ("extra-elements.xml" or "unknown-event.xml" or "must-understand-elsewhere.xml" or "fuzz-found-actor-with-a-role-uri.xml")));

    [Theory]
    [MemberData(nameof(SchemaValidFixtures))]
    public void Fixture_ValidatesAgainstContractSchemas(string name)
    {
        var document = XDocument.Load(Fixture.PathOf(name));
        var body = document.Root!.Elements().Single(e => e.Name.LocalName == "Body").Elements(Soap.M + "SendNotification").Single();
        Assert.Empty(ContractSchemas.Validate(body));
        foreach (var header in document.Root.Elements().Where(e => e.Name.LocalName == "Header").Elements(T + "RequestServerVersion"))
        {
            Assert.Empty(ContractSchemas.Validate(header));
        }
    }

    [Fact]
    public void ExtraElementsFixture_IsRejectedBySchema_ButAcceptedByListener()
    {
        var document = XDocument.Load(Fixture.PathOf("extra-elements.xml"));
        var body = document.Root!.Elements().Single(e => e.Name.LocalName == "Body").Elements(Soap.M + "SendNotification").Single();
        Assert.NotEmpty(ContractSchemas.Validate(body));
    }

    [Theory]
    [InlineData("exchange-online-created.xml")]
    [InlineData("soap12.xml")]
    public async Task Reply_ValidatesAgainstContractSchemas(string name)
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.PostFixture(name));
        var reply = XDocument.Parse(await response.Content.ReadAsStringAsync());

        var result = reply.Descendants(Soap.M + "SendNotificationResult").Single();
        Assert.Empty(ContractSchemas.Validate(result));
    }

    [Theory]
    [InlineData(PushListener.Protocol.SoapVersion.Soap11, SubscriptionStatus.OK)]
    [InlineData(PushListener.Protocol.SoapVersion.Soap11, SubscriptionStatus.Unsubscribe)]
    [InlineData(PushListener.Protocol.SoapVersion.Soap12, SubscriptionStatus.OK)]
    [InlineData(PushListener.Protocol.SoapVersion.Soap12, SubscriptionStatus.Unsubscribe)]
    public void EveryReplyTheWriterProduces_ValidatesAgainstContractSchemas(PushListener.Protocol.SoapVersion version, SubscriptionStatus status)
    {
        var reply = XDocument.Parse(System.Text.Encoding.UTF8.GetString(PushListener.Protocol.SendNotificationWriter.Result(version, status).Span));

        var result = reply.Descendants(Soap.M + "SendNotificationResult").Single();

        Assert.Empty(ContractSchemas.Validate(result));
        Assert.Equal(status.ToString(), result.Value);
    }

    private sealed class LoopbackRemoteAddress : IStartupFilter
    {
        // TestServer has no socket; the forwarded-headers middleware trusts only loopback proxies by default.
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
