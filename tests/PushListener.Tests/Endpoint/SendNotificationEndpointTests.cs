using System.Net;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PushListener.Endpoint;
using PushListener.Protocol;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Endpoint;

public sealed class SendNotificationEndpointTests : IClassFixture<ListenerFactory>
{
    private readonly ListenerFactory _factory;

    public SendNotificationEndpointTests(ListenerFactory factory) => _factory = factory;

    public static TheoryData<string> ValidFixtures() => new(Fixture.ValidNames());

    [Theory]
    [MemberData(nameof(ValidFixtures))]
    public async Task Post_ValidFixture_AnswersOkInRequestSoapVersion(string name)
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.PostFixture(name));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", Soap.StatusOf(body));
        var isSoap12 = name.Contains("soap12", StringComparison.Ordinal);
        Assert.Equal(isSoap12 ? "application/soap+xml" : "text/xml", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        Assert.Contains(isSoap12 ? Soap.Soap12.NamespaceName : Soap.Soap11.NamespaceName, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"" + Soap.Action + "\"")]
    [InlineData(Soap.Action)]
    [InlineData(null)]
    [InlineData("\"\"")]
    public async Task Post_SoapActionQuotedUnquotedOrAbsent_IsAccepted(string? soapAction)
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.Post(Fixture.Bytes("exchange-online-created.xml"), soapAction: soapAction));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Post_MoreMessagesThanMaxMessagesPerPush_IsClientFaultNamingTheCap()
    {
        await using var factory = new ListenerFactory().With("PushListener:Endpoint:MaxMessagesPerPush", "2");
        using var client = factory.CreateClient();

        // multiple-messages.xml holds three messages.
        using var response = await client.SendAsync(Soap.PostFixture("multiple-messages.xml"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var (code, reason) = Soap.FaultOf(await response.Content.ReadAsStringAsync());
        Assert.Equal("s:Client", code);
        Assert.Equal("The request holds more than 2 SendNotificationResponseMessage elements.", reason);
    }

    [Fact]
    public async Task Post_OtherSoapAction_IsClientFault()
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.Post(Fixture.Bytes("exchange-online-created.xml"), soapAction: "http://schemas.microsoft.com/exchange/services/2006/messages/GetItem"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var (code, reason) = Soap.FaultOf(await response.Content.ReadAsStringAsync());
        Assert.Equal("s:Client", code);
        Assert.Contains("SOAP action", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_Soap12WithOtherActionParameter_IsSenderFault()
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.Post(Fixture.Bytes("soap12.xml"), "application/soap+xml; charset=utf-8; action=\"urn:other\"", soapAction: null));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/soap+xml", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("s:Sender", Soap.FaultOf(await response.Content.ReadAsStringAsync()).Code);
    }

    [Fact]
    public async Task Post_Soap12EnvelopeAsTextXml_IsVersionMismatchFault()
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.Post(Fixture.Bytes("soap12.xml")));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("s:VersionMismatch", Soap.FaultOf(await response.Content.ReadAsStringAsync()).Code);
    }

    [Theory]
    [InlineData("hostile/xxe.xml", "DTD")]
    [InlineData("hostile/billion-laughs.xml", "DTD")]
    [InlineData("hostile/wrong-body.xml", "SendNotification")]
    [InlineData("hostile/not-xml.txt", "well-formed")]
    [InlineData("hostile/no-subscription-id.xml", "SubscriptionId")]
    [InlineData("hostile/bad-timestamp.xml", "TimeStamp")]
    public async Task Post_HostileOrInvalidBody_IsClientFaultWithoutEcho_AndServerKeepsServing(string name, string reasonMentions)
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.Post(Fixture.Bytes(name)));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var (code, reason) = Soap.FaultOf(body);
        Assert.Equal("s:Client", code);
        Assert.Contains(reasonMentions, reason, StringComparison.Ordinal);
        Assert.DoesNotContain("passwd", body, StringComparison.Ordinal);
        Assert.DoesNotContain("lol", body, StringComparison.Ordinal);
        Assert.DoesNotContain("at PushListener", body, StringComparison.Ordinal);
        await AssertStillServesAsync(client);
    }

    [Fact]
    public async Task Post_UnknownEnvelopeNamespace_IsVersionMismatchFault()
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.Post(Fixture.Bytes("hostile/soap-version-unknown.xml")));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var reply = await response.Content.ReadAsStringAsync();
        Assert.Equal("s:VersionMismatch", Soap.FaultOf(reply).Code);
        AssertUpgradeHeader(reply, XmlNames.Soap11Envelope, XmlNames.Soap12Envelope);
    }

    [Fact]
    public async Task Post_UnknownEnvelopeNamespaceAsSoap12_IsSoap12VersionMismatchFaultWithUpgradeHeader()
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.Post(Fixture.Bytes("hostile/soap-version-unknown.xml"), "application/soap+xml; charset=utf-8", soapAction: null));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/soap+xml", response.Content.Headers.ContentType!.MediaType);
        var reply = await response.Content.ReadAsStringAsync();
        Assert.Equal("s:VersionMismatch", Soap.FaultOf(reply).Code);
        AssertUpgradeHeader(reply, XmlNames.Soap12Envelope, XmlNames.Soap11Envelope);
    }

    /// <summary>SOAP 1.2 part 1, 5.4.7: env:Upgrade lists the supported envelopes, most preferred first.</summary>
    private static void AssertUpgradeHeader(string reply, params string[] envelopeNamespaces)
    {
        XNamespace soap12 = XmlNames.Soap12Envelope;
        var upgrade = Assert.Single(XDocument.Parse(reply).Descendants(soap12 + "Upgrade"));
        Assert.Equal("Header", upgrade.Parent!.Name.LocalName);
        Assert.Equal(
            envelopeNamespaces,
            upgrade.Elements(soap12 + "SupportedEnvelope").Select(e =>
            {
                var qname = e.Attribute("qname")!.Value;
                Assert.EndsWith(":Envelope", qname, StringComparison.Ordinal);
                return e.GetNamespaceOfPrefix(qname[..qname.IndexOf(':', StringComparison.Ordinal)])!.NamespaceName;
            }));
    }

    [Fact]
    public async Task Post_DeeplyNestedBody_IsClientFaultAndServerKeepsServing()
    {
        var depth = 50_000;
        var xml = new StringBuilder("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><m:SendNotification xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\"><m:ResponseMessages>");
        xml.Insert(xml.Length, "<x>", depth).Insert(xml.Length, "</x>", depth).Append("</m:ResponseMessages></m:SendNotification></s:Body></s:Envelope>");
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.Post(Encoding.UTF8.GetBytes(xml.ToString())));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var (code, reason) = Soap.FaultOf(await response.Content.ReadAsStringAsync());
        Assert.Equal("s:Client", code);
        Assert.Contains("nested", reason, StringComparison.Ordinal);
        await AssertStillServesAsync(client);
    }

    [Fact]
    public async Task Post_BodyOverLimit_Is413()
    {
        using var factory = new ListenerFactory().With("PushListener:Endpoint:MaxRequestBytes", "8192");
        using var client = factory.CreateClient();
        var body = Encoding.UTF8.GetBytes("<x>" + new string('a', 20_000) + "</x>");

        using var response = await client.SendAsync(Soap.Post(body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("8192", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertStillServesAsync(client);
    }

    [Fact]
    public async Task Post_ChunkedBodyOverLimit_Is413()
    {
        using var factory = new ListenerFactory().With("PushListener:Endpoint:MaxRequestBytes", "8192");
        using var client = factory.CreateClient();
        var request = Soap.Post([]);
        request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("<x>" + new string('a', 20_000) + "</x>")));
        request.Content.Headers.ContentType = new("text/xml");
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    public async Task Post_WrongMediaType_Is415(string contentType)
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(Soap.Post(Fixture.Bytes("exchange-online-created.xml"), contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("text/xml", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task WrongMethod_Is405(string method)
    {
        using var client = _factory.CreateClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/ews/notifications"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Get_WithoutWsdlQuery_Is405WithReason()
    {
        using var client = _factory.CreateClient();
        using var response = await client.GetAsync("/ews/notifications");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ProcessorFails_IsServerFaultNeverOk()
    {
        using var factory = new ListenerFactory().WithServices(s => s.Replace(ServiceDescriptor.Singleton<IPushProcessor, FailingProcessor>()));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.PostFixture("exchange-online-created.xml"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("s:Server", Soap.FaultOf(body).Code);
        Assert.DoesNotContain("disk on fire", body, StringComparison.Ordinal);
        Assert.DoesNotContain("SubscriptionStatus", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_StoreDown_TheFirstFailureLoggedInFull_TheRestAtDebug_ThenOneLineWhenItWorks()
    {
        // During an outage every push fails, at Exchange's retry rate: a stack trace each would flood the log.
        var logs = new PushListener.Tests.Security.CapturedLogs();
        var processor = new SwitchableProcessor();
        using var factory = new ListenerFactory()
            .With("Logging:LogLevel:Default", "Debug")
            .WithServices(s => s.Replace(ServiceDescriptor.Singleton<IPushProcessor>(processor)).AddSingleton<ILoggerProvider>(logs));
        using var client = factory.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            using var failed = await client.SendAsync(Soap.PostFixture("heartbeat.xml"));
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        processor.Fails = false;
        using (var ok = await client.SendAsync(Soap.PostFixture("heartbeat.xml")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var lines = logs.Lines.Where(l => l.Category == typeof(SendNotificationEndpoint).FullName).ToList();
        Assert.Single(lines, l => l.EventId == 3);
        Assert.Equal(4, lines.Count(l => l.EventId == 107));
        Assert.Single(lines, l => l.EventId == 108);
    }

    [Fact]
    public async Task Post_ProcessorVotesUnsubscribe_AnswersUnsubscribe()
    {
        using var factory = new ListenerFactory().WithServices(s => s.Replace(ServiceDescriptor.Singleton<IPushProcessor, UnsubscribingProcessor>()));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.PostFixture("soap12.xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unsubscribe", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Healthz_IsHealthy()
    {
        using var client = _factory.CreateClient();
        Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task Post_ConfiguredPath_IsServedThere()
    {
        using var factory = new ListenerFactory().With("PushListener:Endpoint:Path", "/hooks/exchange");
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.Post(Fixture.Bytes("heartbeat.xml"), path: "/hooks/exchange"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task AssertStillServesAsync(HttpClient client)
    {
        using var response = await client.SendAsync(Soap.PostFixture("heartbeat.xml"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private sealed class FailingProcessor : IPushProcessor
    {
        public ValueTask<SubscriptionStatus> ProcessAsync(ReceivedPush push, CancellationToken cancellationToken) =>
            throw new IOException("disk on fire");
    }

    private sealed class SwitchableProcessor : IPushProcessor
    {
        public volatile bool Fails = true;

        public ValueTask<SubscriptionStatus> ProcessAsync(ReceivedPush push, CancellationToken cancellationToken) =>
            Fails ? throw new IOException("database down") : ValueTask.FromResult(SubscriptionStatus.OK);
    }

    private sealed class UnsubscribingProcessor : IPushProcessor
    {
        public ValueTask<SubscriptionStatus> ProcessAsync(ReceivedPush push, CancellationToken cancellationToken) =>
            ValueTask.FromResult(SubscriptionStatus.Unsubscribe);
    }
}
