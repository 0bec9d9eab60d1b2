using System.Text;
using System.Text.Json;
using Xunit;

namespace PushListener.Protocol.Tests;

/// <summary>
/// The protocol rule (docs/architecture.md) at the reader: every SOAP-level refusal of tests/Fixtures/cases.json is a
/// <see cref="PushRequestException"/> with the manifest's fault code and reason; the limits and the tolerated forms hold.
/// </summary>
public sealed class SendNotificationReaderRuleTests
{
    public static TheoryData<string, string, string> RefusedCases()
    {
        var data = new TheoryData<string, string, string>();
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Fixtures.PathOf("cases.json")));
        foreach (var entry in manifest.RootElement.EnumerateArray())
        {
            if (entry.TryGetProperty("fault", out var fault) && !entry.TryGetProperty("contentEncoding", out _))
            {
                data.Add(entry.GetProperty("file").GetString()!, fault.GetString()!, entry.GetProperty("reason").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedCases))]
    public void Read_RefusedCase_ThrowsWithTheManifestsCodeAndReason(string file, string fault, string reason)
    {
        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(Fixtures.Bytes(file)));

        Assert.Equal(fault switch
        {
            "s:MustUnderstand" => FaultCode.MustUnderstand,
            "s:VersionMismatch" => FaultCode.VersionMismatch,
            _ => FaultCode.Sender,
        }, ex.Code);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Soap12MustUnderstand_NamesOnlyTheBlocksAddressedToTheListener()
    {
        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(Fixtures.Bytes("hostile/soap12-must-understand.xml")));

        // The second block carries mustUnderstand too, but for role "none": it is nobody's to understand.
        var name = Assert.Single(ex.NotUnderstood);
        Assert.Equal(("Security", "urn:contoso:security"), (name.Name, name.Namespace));
    }

    [Fact]
    public void Read_MessagesUpToMaxMessages_AreAccepted_OneMoreIsRefused()
    {
        var body = Fixtures.Bytes("hostile/too-many-messages.xml");

        Assert.Equal(101, SendNotificationReader.Read(body, new PushReaderOptions { MaxMessages = 101 }).Messages.Count);
        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(body, new PushReaderOptions { MaxMessages = 100 }));
        Assert.Equal("The request holds more than 100 SendNotificationResponseMessage elements.", ex.Message);
    }

    [Fact]
    public void Read_MoreEventsAbsent_IsNotSpecified_AndPresentIsSpecified()
    {
        var absent = Assert.Single(Fixtures.Read("no-more-events.xml").Messages).Notification!;
        var present = Assert.Single(Fixtures.Read("exchange-online-created.xml").Messages).Notification!;

        Assert.False(absent.MoreEventsSpecified);
        Assert.False(absent.MoreEvents);
        Assert.True(present.MoreEventsSpecified);
        Assert.False(present.MoreEvents);
        Assert.False(absent.WithEvents(absent.Events).MoreEventsSpecified);
        Assert.True(present.WithEvents([]).MoreEventsSpecified);
    }

    [Fact]
    public void Read_WhitespaceAroundIdsAndWatermarks_IsTrimmed()
    {
        var notification = Assert.Single(Fixtures.Read("whitespace-ids.xml").Messages).Notification!;

        Assert.DoesNotContain(notification.SubscriptionId, char.IsWhiteSpace);
        Assert.DoesNotContain(notification.PreviousWatermark!, char.IsWhiteSpace);
        var e = Assert.Single(notification.Events);
        Assert.DoesNotContain(e.Watermark!, char.IsWhiteSpace);
        Assert.DoesNotContain(e.ObjectId!.Value.Id, char.IsWhiteSpace);
        Assert.Equal("CQAAABYAAAA8TA9P", e.ObjectId.Value.ChangeKey);
        Assert.Null(e.ParentFolderId!.Value.ChangeKey);
        Assert.True(notification.MoreEvents);
    }

    [Fact]
    public void Read_UnknownEvent_IsDeliveredWithItsNameXmlAndWatermark()
    {
        var notification = Assert.Single(Fixtures.Read("unknown-event.xml").Messages).Notification!;

        var unknown = notification.Events[0];
        Assert.Equal(EventKind.Unknown, unknown.Kind);
        Assert.Equal("NewmailEvent", unknown.ElementName);
        Assert.Equal(XmlNames.Types, unknown.ElementNamespace);
        Assert.NotNull(unknown.Watermark);
        var copy = System.Xml.Linq.XElement.Parse(unknown.Xml!);
        Assert.Equal(System.Xml.Linq.XName.Get("NewmailEvent", XmlNames.Types), copy.Name);
        Assert.Equal(unknown.Watermark, copy.Element(System.Xml.Linq.XName.Get("Watermark", XmlNames.Types))!.Value);
        Assert.Equal(EventKind.Created, notification.Events[1].Kind);
    }

    [Theory]
    [InlineData("<t:FutureEvent><t:Watermark>a</t:Watermark><t:Watermark>b</t:Watermark></t:FutureEvent>", "more than one Watermark")]
    [InlineData("<t:FutureEvent><t:Watermark><x/></t:Watermark></t:FutureEvent>", "must hold text")]
    [InlineData("<t:FutureEvent><t:Watermark>  </t:Watermark></t:FutureEvent>", "Watermark is empty")]
    public void Read_UnknownEventWithABadWatermark_IsRefused(string unknownEvent, string reason)
    {
        var body = Encoding.UTF8.GetBytes(Push.Envelope("Notification", unknownEvent));

        var ex = Assert.Throws<PushRequestException>(() => SendNotificationReader.Read(body));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Notification", "<t:MailboxGuid>9a4c</t:MailboxGuid>")]
    [InlineData("Notification", "<deep:AuditEvent>x</deep:AuditEvent>")]
    [InlineData("Event", "<t:ItemClass>IPM.Note</t:ItemClass>")]
    [InlineData("Message", "<m:ServerDiagnostics><m:Latency>3</m:Latency></m:ServerDiagnostics>")]
    [InlineData("Header", "<deep:Trace deep:mustUnderstand=\"1\">x</deep:Trace>")]
    public void Read_ToleratedExtension_IsSkippedAndTheEventIsDelivered(string place, string extension)
    {
        var request = SendNotificationReader.Read(Encoding.UTF8.GetBytes(Push.Envelope(place, extension)));

        var e = Assert.Single(Assert.Single(request.Messages).Notification!.Events);
        Assert.Equal(EventKind.NewMail, e.Kind);
    }
}
