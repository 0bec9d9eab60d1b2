using System.Text;
using System.Xml.Linq;
using Xunit;

namespace PushListener.Protocol.Tests;

public sealed class SendNotificationWriterTests
{
    private static readonly XNamespace M = XmlNames.Messages;

    public static TheoryData<SoapVersion, SubscriptionStatus, string, string> Results() => new()
    {
        { SoapVersion.Soap11, SubscriptionStatus.OK, XmlNames.Soap11Envelope, "OK" },
        { SoapVersion.Soap11, SubscriptionStatus.Unsubscribe, XmlNames.Soap11Envelope, "Unsubscribe" },
        { SoapVersion.Soap12, SubscriptionStatus.OK, XmlNames.Soap12Envelope, "OK" },
        { SoapVersion.Soap12, SubscriptionStatus.Unsubscribe, XmlNames.Soap12Envelope, "Unsubscribe" },
    };

    [Theory]
    [MemberData(nameof(Results))]
    public void Result_EachVersionAndStatus_IsEnvelopeWithExactSubscriptionStatus(SoapVersion version, SubscriptionStatus status, string envelopeNamespace, string expectedStatus)
    {
        var bytes = SendNotificationWriter.Result(version, status).ToArray();

        // UTF-8 without a byte-order mark, as the reply content type promises.
        Assert.Equal((byte)'<', bytes[0]);
        var document = Parse(bytes);
        XNamespace soap = envelopeNamespace;
        Assert.Equal(soap + "Envelope", document.Root!.Name);
        var body = Assert.Single(document.Root.Elements());
        Assert.Equal(soap + "Body", body.Name);
        var result = Assert.Single(body.Elements());
        Assert.Equal(M + "SendNotificationResult", result.Name);
        var subscriptionStatus = Assert.Single(result.Elements());
        Assert.Equal(M + "SubscriptionStatus", subscriptionStatus.Name);
        Assert.Empty(subscriptionStatus.Elements());
        Assert.Equal(expectedStatus, subscriptionStatus.Value);
    }

    [Fact]
    public void Result_CalledTwice_ReturnsTheSameBytes()
    {
        foreach (var version in new[] { SoapVersion.Soap11, SoapVersion.Soap12 })
        {
            foreach (var status in new[] { SubscriptionStatus.OK, SubscriptionStatus.Unsubscribe })
            {
                Assert.True(SendNotificationWriter.Result(version, status).Span.SequenceEqual(SendNotificationWriter.Result(version, status).Span));
            }
        }
    }

    [Fact]
    public void Result_FourCombinations_AreAllDifferent()
    {
        var all = new[]
        {
            SendNotificationWriter.Result(SoapVersion.Soap11, SubscriptionStatus.OK),
            SendNotificationWriter.Result(SoapVersion.Soap11, SubscriptionStatus.Unsubscribe),
            SendNotificationWriter.Result(SoapVersion.Soap12, SubscriptionStatus.OK),
            SendNotificationWriter.Result(SoapVersion.Soap12, SubscriptionStatus.Unsubscribe),
        }.Select(m => Encoding.UTF8.GetString(m.Span)).ToList();

        Assert.Equal(4, all.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(all, text => text.Contains("UNSUBSCRIBE", StringComparison.Ordinal));
    }

    public static TheoryData<FaultCode, string> Soap11Codes() => new()
    {
        { FaultCode.Sender, "Client" },
        { FaultCode.Receiver, "Server" },
        { FaultCode.VersionMismatch, "VersionMismatch" },
        { FaultCode.MustUnderstand, "MustUnderstand" },
    };

    [Theory]
    [MemberData(nameof(Soap11Codes))]
    public void Fault_Soap11_HasQualifiedFaultCodeAndReason(FaultCode code, string expectedLocalCode)
    {
        XNamespace soap = XmlNames.Soap11Envelope;
        var document = Parse(SendNotificationWriter.Fault(SoapVersion.Soap11, code, "The SOAP Body is empty; expected SendNotification."));

        Assert.Equal(soap + "Envelope", document.Root!.Name);
        var fault = Assert.Single(Assert.Single(document.Root.Elements(soap + "Body")).Elements());
        Assert.Equal(soap + "Fault", fault.Name);

        // SOAP 1.1: faultcode and faultstring are unqualified; the code is a QName in the envelope namespace.
        var faultCode = Assert.Single(fault.Elements("faultcode"));
        Assert.Equal("s:" + expectedLocalCode, faultCode.Value);
        Assert.Equal(soap, faultCode.GetNamespaceOfPrefix("s"));
        var faultString = Assert.Single(fault.Elements("faultstring"));
        Assert.Equal("The SOAP Body is empty; expected SendNotification.", faultString.Value);
    }

    public static TheoryData<FaultCode, string> Soap12Codes() => new()
    {
        { FaultCode.Sender, "Sender" },
        { FaultCode.Receiver, "Receiver" },
        { FaultCode.VersionMismatch, "VersionMismatch" },
        { FaultCode.MustUnderstand, "MustUnderstand" },
    };

    [Fact]
    public void Fault_Soap12MustUnderstand_NamesEachBlockInANotUnderstoodHeader()
    {
        XNamespace soap = XmlNames.Soap12Envelope;
        var document = Parse(SendNotificationWriter.Fault(
            SoapVersion.Soap12,
            FaultCode.MustUnderstand,
            "2 header blocks marked mustUnderstand are not understood by this listener.",
            [new System.Xml.XmlQualifiedName("Security", "urn:contoso:security"), new System.Xml.XmlQualifiedName("Hint", "urn:contoso:hint")]));

        var blocks = Assert.Single(document.Root!.Elements(soap + "Header")).Elements().ToList();
        Assert.All(blocks, b => Assert.Equal(soap + "NotUnderstood", b.Name));
        Assert.Equal(
            [XName.Get("Security", "urn:contoso:security"), XName.Get("Hint", "urn:contoso:hint")],
            blocks.Select(b =>
            {
                var qname = b.Attribute("qname")!.Value;
                return b.GetNamespaceOfPrefix(qname[..qname.IndexOf(':', StringComparison.Ordinal)])! + qname[(qname.IndexOf(':', StringComparison.Ordinal) + 1)..];
            }));
        Assert.Equal("s:MustUnderstand", document.Descendants(soap + "Value").Single().Value);
    }

    [Fact]
    public void Fault_Soap11MustUnderstand_HasNoHeader()
    {
        var document = Parse(SendNotificationWriter.Fault(SoapVersion.Soap11, FaultCode.MustUnderstand, "x", [new System.Xml.XmlQualifiedName("Security", "urn:contoso:security")]));

        Assert.Empty(document.Root!.Elements(XName.Get("Header", XmlNames.Soap11Envelope)));
        Assert.Equal("s:MustUnderstand", document.Descendants("faultcode").Single().Value);
    }

    [Theory]
    [InlineData(SoapVersion.Soap11, XmlNames.Soap11Envelope, XmlNames.Soap12Envelope)]
    [InlineData(SoapVersion.Soap12, XmlNames.Soap12Envelope, XmlNames.Soap11Envelope)]
    public void Fault_VersionMismatch_HasUpgradeHeaderListingBothEnvelopesFaultVersionFirst(SoapVersion version, string first, string second)
    {
        // SOAP 1.2 part 1, 5.4.7 (and appendix A for a SOAP 1.1 fault): the Upgrade block is in the SOAP 1.2 namespace
        // whatever the fault's version, and lists the supported envelopes by qualified name, most preferred first.
        XNamespace soap12 = XmlNames.Soap12Envelope;
        var document = Parse(SendNotificationWriter.Fault(version, FaultCode.VersionMismatch, "The Envelope is in neither the SOAP 1.1 nor the SOAP 1.2 namespace."));

        var header = Assert.Single(document.Root!.Elements(XName.Get("Header", XmlNames.EnvelopeNamespace(version))));
        var upgrade = Assert.Single(header.Elements());
        Assert.Equal(soap12 + "Upgrade", upgrade.Name);
        Assert.Null(upgrade.Attribute(soap12 + "mustUnderstand"));
        var supported = upgrade.Elements().ToList();
        Assert.All(supported, e => Assert.Equal(soap12 + "SupportedEnvelope", e.Name));
        Assert.Equal(
            [XName.Get("Envelope", first), XName.Get("Envelope", second)],
            supported.Select(e =>
            {
                var qname = e.Attribute("qname")!.Value;
                var colon = qname.IndexOf(':', StringComparison.Ordinal);
                return e.GetNamespaceOfPrefix(qname[..colon])! + qname[(colon + 1)..];
            }));
        Assert.Single(document.Root.Elements(XName.Get("Body", XmlNames.EnvelopeNamespace(version))));
    }

    [Theory]
    [InlineData(SoapVersion.Soap11, FaultCode.Sender)]
    [InlineData(SoapVersion.Soap11, FaultCode.Receiver)]
    [InlineData(SoapVersion.Soap12, FaultCode.Sender)]
    [InlineData(SoapVersion.Soap12, FaultCode.Receiver)]
    public void Fault_OtherThanVersionMismatch_HasNoHeader(SoapVersion version, FaultCode code)
    {
        var document = Parse(SendNotificationWriter.Fault(version, code, "x"));

        Assert.Empty(document.Root!.Elements(XName.Get("Header", XmlNames.EnvelopeNamespace(version))));
    }

    [Theory]
    [MemberData(nameof(Soap12Codes))]
    public void Fault_Soap12_HasCodeValueAndReasonText(FaultCode code, string expectedLocalCode)
    {
        XNamespace soap = XmlNames.Soap12Envelope;
        var document = Parse(SendNotificationWriter.Fault(SoapVersion.Soap12, code, "The document exceeds the size limit."));

        Assert.Equal(soap + "Envelope", document.Root!.Name);
        var fault = Assert.Single(Assert.Single(document.Root.Elements(soap + "Body")).Elements());
        Assert.Equal(soap + "Fault", fault.Name);
        var value = Assert.Single(Assert.Single(fault.Elements(soap + "Code")).Elements());
        Assert.Equal(soap + "Value", value.Name);
        Assert.Equal("s:" + expectedLocalCode, value.Value);
        Assert.Equal(soap, value.GetNamespaceOfPrefix("s"));
        var text = Assert.Single(Assert.Single(fault.Elements(soap + "Reason")).Elements());
        Assert.Equal(soap + "Text", text.Name);
        Assert.Equal("en", (string?)text.Attribute(XNamespace.Xml + "lang"));
        Assert.Equal("The document exceeds the size limit.", text.Value);
    }

    [Theory]
    [InlineData(SoapVersion.Soap11)]
    [InlineData(SoapVersion.Soap12)]
    public void Fault_ReasonWithMarkupCharacters_IsEscapedAndStaysWellFormed(SoapVersion version)
    {
        const string Reason = "a < b & c > d \"quoted\" 'single' ]]> <m:Injected/> &amp;";
        var bytes = SendNotificationWriter.Fault(version, FaultCode.Sender, Reason);

        var document = Parse(bytes);
        var raw = Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain("<m:Injected/>", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(" < b", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(document.Descendants(), e => e.Name.LocalName == "Injected");
        var reasonElement = document.Descendants().Single(e => e.Name.LocalName is "faultstring" or "Text");
        Assert.Equal(Reason, reasonElement.Value);
    }

    [Fact]
    public void Fault_ReasonOfARealReadError_RoundTrips()
    {
        var ex = Assert.Throws<PushRequestException>(() => Fixtures.Read("hostile/wrong-body.xml"));

        var document = Parse(SendNotificationWriter.Fault(SoapVersion.Soap11, ex.Code, ex.Message));

        Assert.Equal(ex.Message, document.Descendants("faultstring").Single().Value);
        Assert.Equal("s:Client", document.Descendants("faultcode").Single().Value);
    }

    [Fact]
    public void Fault_NullReason_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => SendNotificationWriter.Fault(SoapVersion.Soap11, FaultCode.Sender, null!));
    }

    [Theory]
    [InlineData(SoapVersion.Soap11, XmlNames.Soap11Envelope, "text/xml; charset=utf-8")]
    [InlineData(SoapVersion.Soap12, XmlNames.Soap12Envelope, "application/soap+xml; charset=utf-8")]
    public void XmlNames_EnvelopeNamespaceAndReplyContentType_MatchTheVersion(SoapVersion version, string envelopeNamespace, string contentType)
    {
        Assert.Equal(envelopeNamespace, XmlNames.EnvelopeNamespace(version));
        Assert.Equal(contentType, XmlNames.ReplyContentType(version));
    }

    private static XDocument Parse(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return XDocument.Load(stream);
    }
}
