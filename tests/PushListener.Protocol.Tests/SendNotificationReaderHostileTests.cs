using System.Diagnostics;
using System.Text;
using Xunit;

namespace PushListener.Protocol.Tests;

/// <summary>Hostile and broken bodies: each is refused with <see cref="PushRequestException"/>, the right fault code and a message that echoes nothing of the body.</summary>
public sealed class SendNotificationReaderHostileTests
{
    private const string Envelope11 = "http://schemas.xmlsoap.org/soap/envelope/";

    public static TheoryData<string, FaultCode, string, string[]> HostileFixtures() => new()
    {
        { "hostile/xxe.xml", FaultCode.Sender, "DTD", ["/etc/passwd", "passwd", "xxe", "ENTITY", "root:"] },
        { "hostile/billion-laughs.xml", FaultCode.Sender, "DTD", ["lol", "ENTITY"] },
        { "hostile/wrong-body.xml", FaultCode.Sender, "SendNotification", ["GetItem", "IdOnly", "ItemShape"] },
        { "hostile/not-xml.txt", FaultCode.Sender, "not well-formed", ["Hello", "hunter2", "SECRET", "probe"] },
        { "hostile/soap-version-unknown.xml", FaultCode.VersionMismatch, "SOAP", ["urn:example", "3.0"] },
        { "hostile/no-subscription-id.xml", FaultCode.Sender, "SubscriptionId", ["AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABpHogAAAAA="] },
        { "hostile/bad-timestamp.xml", FaultCode.Sender, "TimeStamp", ["Friday", "November", "20:00"] },
    };

    [Theory]
    [MemberData(nameof(HostileFixtures))]
    public void Read_HostileFixture_ThrowsWithCodeAndSafeMessage(string fixture, FaultCode code, string reasonMentions, string[] mustNotEcho)
    {
        var ex = Assert.Throws<PushRequestException>(() => Fixtures.Read(fixture));

        Assert.Equal(code, ex.Code);
        Assert.Contains(reasonMentions, ex.Message, StringComparison.Ordinal);
        foreach (var text in mustNotEcho)
        {
            Assert.DoesNotContain(text, ex.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [MemberData(nameof(HostileFixtures))]
    public void Read_HostileFixtureFromMemory_ThrowsTheSameAsFromStream(string fixture, FaultCode code, string reasonMentions, string[] mustNotEcho)
    {
        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(Fixtures.Bytes(fixture)));

        Assert.Equal(code, ex.Code);
        Assert.Contains(reasonMentions, ex.Message, StringComparison.Ordinal);
        Assert.All(mustNotEcho, text => Assert.DoesNotContain(text, ex.Message, StringComparison.OrdinalIgnoreCase));
    }

    private const string TooDeep = "Elements are nested deeper than 32 levels.";

    // In the Envelope and the Body an extra element is refused as such, before its depth matters.
    public static TheoryData<string, string> DeepNestingPlaces() => new()
    {
        { "Envelope", "The Envelope holds an element other than the SOAP Header and Body." },
        { "Header", TooDeep },
        { "HeaderVersion", TooDeep },
        { "Body", "The SOAP Body holds more than one element; SendNotification must be alone." },
        { "SendNotification", TooDeep },
        { "ResponseMessages", TooDeep },
        { "Message", TooDeep },
        { "Notification", TooDeep },
        { "Event", TooDeep },
    };

    [Theory]
    [MemberData(nameof(DeepNestingPlaces))]
    public void Read_HundredThousandNestedElements_RefusedQuickly(string place, string expected)
    {
        const int Depth = 100_000;
        var nest = new StringBuilder(Depth * 24);
        for (var i = 0; i < Depth; i++)
        {
            nest.Append("<deep:n>");
        }

        nest.Append("payload-text");
        for (var i = 0; i < Depth; i++)
        {
            nest.Append("</deep:n>");
        }

        var body = Encoding.UTF8.GetBytes(Push.Envelope(place, nest.ToString()));
        var stopwatch = Stopwatch.StartNew();

        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(body));

        stopwatch.Stop();
        Assert.Equal(FaultCode.Sender, ex.Code);
        Assert.Equal(expected, ex.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"Refusing took {stopwatch.Elapsed}.");
    }

    [Fact]
    public void Read_NestingAtExactlyMaxDepth_IsAccepted()
    {
        // The unknown element sits at depth 7 inside the event: 25 more levels reach depth 32, the limit.
        var nest = string.Concat(Enumerable.Repeat("<deep:n>", 26)) + string.Concat(Enumerable.Repeat("</deep:n>", 26));
        var request = SendNotificationReader.Read(Encoding.UTF8.GetBytes(Push.Envelope("Event", nest)));
        Assert.Equal(1, request.EventCount);

        nest = "<deep:n>" + nest + "</deep:n>";
        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(Encoding.UTF8.GetBytes(Push.Envelope("Event", nest))));
        Assert.Equal("Elements are nested deeper than 32 levels.", ex.Message);
    }

    [Fact]
    public void Read_SmallerMaxDepth_RefusesANormalPush()
    {
        var ex = Assert.Throws<PushRequestException>(() => Fixtures.Read("exchange-online-created.xml", new PushReaderOptions { MaxDepth = 5 }));

        Assert.Equal(FaultCode.Sender, ex.Code);
        Assert.Equal("Elements are nested deeper than 5 levels.", ex.Message);
    }

    [Fact]
    public void Read_DocumentLargerThanMaxCharacters_Refused()
    {
        var bytes = Fixtures.Bytes("all-event-types.xml");
        var length = Encoding.UTF8.GetCharCount(bytes);

        var accepted = SendNotificationReader.Read(bytes, new PushReaderOptions { MaxCharacters = length });
        Assert.Equal(9, accepted.EventCount);

        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(bytes, new PushReaderOptions { MaxCharacters = length - 1 }));
        Assert.Equal(FaultCode.Sender, ex.Code);
        Assert.Equal("The document exceeds the size limit.", ex.Message);
    }

    [Fact]
    public void Read_HugeTextBeyondDefaultMaxCharacters_RefusedWithoutEchoingIt()
    {
        var filler = new string('A', (int)PushReaderOptions.Default.MaxCharacters);
        var body = Encoding.UTF8.GetBytes(Push.Envelope("Notification", "<deep:pad>" + filler + "</deep:pad>"));

        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(body));

        Assert.Equal(FaultCode.Sender, ex.Code);
        Assert.Equal("The document exceeds the size limit.", ex.Message);
    }

    [Fact]
    public void Read_MoreEventsThanMaxEvents_Refused()
    {
        Assert.Equal(50, Fixtures.Read("fifty-events.xml", new PushReaderOptions { MaxEvents = 50 }).EventCount);

        var ex = Assert.Throws<PushRequestException>(() => Fixtures.Read("fifty-events.xml", new PushReaderOptions { MaxEvents = 49 }));

        Assert.Equal(FaultCode.Sender, ex.Code);
        Assert.Equal("The request holds more than 49 events.", ex.Message);
    }

    [Fact]
    public void Read_MoreEventsThanMaxEventsOverSeveralMessages_Refused()
    {
        // multiple-messages.xml holds 2 + 1 + 1 events: the limit counts over all messages.
        Assert.Equal(4, Fixtures.Read("multiple-messages.xml", new PushReaderOptions { MaxEvents = 4 }).EventCount);

        var ex = Assert.Throws<PushRequestException>(() => Fixtures.Read("multiple-messages.xml", new PushReaderOptions { MaxEvents = 3 }));

        Assert.Equal(FaultCode.Sender, ex.Code);
        Assert.Equal("The request holds more than 3 events.", ex.Message);
    }

    public static TheoryData<string, string> BrokenBodies() => new()
    {
        { string.Empty, "not well-formed" },
        { "   \r\n", "not well-formed" },
        { "{\"value\":[{\"subscriptionId\":\"graph-style\"}]}", "not well-formed" },
        { "<html><body>secret-page</body></html>", "not a SOAP Envelope" },
        { $"<s:Envelope xmlns:s=\"{Envelope11}\"/>", "no Body" },
        { $"<s:Envelope xmlns:s=\"{Envelope11}\"><s:Header/></s:Envelope>", "no Body" },
        { $"<s:Envelope xmlns:s=\"{Envelope11}\"><s:Body/></s:Envelope>", "Body is empty" },
        { $"<s:Envelope xmlns:s=\"{Envelope11}\"><s:Body><m:SendNotification xmlns:m=\"{XmlNames.Messages}\"/></s:Body></s:Envelope>", "no SendNotificationResponseMessage" },
        { $"<s:Envelope xmlns:s=\"{Envelope11}\"><s:Body><SendNotification xmlns=\"urn:secret-ns\"/></s:Body></s:Envelope>", "does not hold a SendNotification" },
        { Push.Envelope("Notification", string.Empty) + "<secret-trailer/>", "not well-formed" },
        { Push.Envelope("Notification", string.Empty)[..400], "not well-formed" },
        { Push.Envelope("Notification", string.Empty).Replace("ResponseClass=\"Success\"", "ResponseClass=\"secret-class\"", StringComparison.Ordinal), "ResponseClass" },
        { Push.Envelope("Notification", string.Empty).Replace("<t:MoreEvents>false", "<t:MoreEvents>secret-bool", StringComparison.Ordinal), "MoreEvents" },
        { Push.Envelope("Notification", string.Empty).Replace(" Id=\"", " Key=\"", StringComparison.Ordinal), "no Id attribute" },
        { Push.Envelope("Event", "<t:UnreadCount>secret-int</t:UnreadCount>"), "UnreadCount" },
        { Push.Envelope("Event", "<t:UnreadCount>4294967296</t:UnreadCount>"), "UnreadCount" },
        { Push.Envelope("Notification", string.Empty).Replace("<t:SubscriptionId>" + Push.SubscriptionId + "</t:SubscriptionId>", "<t:SubscriptionId/>", StringComparison.Ordinal), "SubscriptionId is empty" },
        { Push.Envelope("Notification", string.Empty).Replace("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<?xml version=\"1.0\" encoding=\"utf-8\"?><!DOCTYPE x [<!ENTITY secret \"x\">]>", StringComparison.Ordinal), "DTD" },
    };

    [Theory]
    [MemberData(nameof(BrokenBodies))]
    public void Read_BrokenBody_ThrowsSenderFaultWithoutEchoingTheBody(string body, string reasonMentions)
    {
        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(Encoding.UTF8.GetBytes(body)));

        Assert.Equal(FaultCode.Sender, ex.Code);
        Assert.Contains(reasonMentions, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("graph-style", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Push.SubscriptionId, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_InvalidUtf8_ThrowsSenderFault()
    {
        var body = Encoding.UTF8.GetBytes(Push.Envelope("Notification", string.Empty));
        var index = Array.IndexOf(body, (byte)'N', 300);
        body[index] = 0xC3;
        body[index + 1] = 0x28;

        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(body));

        Assert.Equal(FaultCode.Sender, ex.Code);
    }

    [Fact]
    public void Read_NullStream_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => SendNotificationReader.Read((Stream)null!));
    }
}
