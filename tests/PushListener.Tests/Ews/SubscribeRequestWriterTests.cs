using System.Xml.Linq;
using PushListener.Ews;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Ews;

public sealed class SubscribeRequestWriterTests
{
    private static readonly XNamespace M = "http://schemas.microsoft.com/exchange/services/2006/messages";
    private static readonly XNamespace T = "http://schemas.microsoft.com/exchange/services/2006/types";

    private static PushSubscribeRequest Request(string? watermark = null, bool allFolders = false, bool impersonate = true) => new(
        "alice@contoso.com",
        ["inbox", "calendar"],
        allFolders,
        ["NewMailEvent", "CreatedEvent", "DeletedEvent", "ModifiedEvent", "MovedEvent", "CopiedEvent"],
        watermark,
        5,
        new Uri("https://push.example.com/ews/notifications/abcdefghijklmnopqrstuvwxyz0123456789"),
        impersonate);

    public static TheoryData<string?, bool, bool> Shapes => new()
    {
        { null, false, true },
        { "AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABo/WQAAAAA=", false, true },
        { "AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABo/WQAAAAA=", true, false },
        { null, true, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Write_EveryShape_ValidatesAgainstTheSubscribeSchema(string? watermark, bool allFolders, bool impersonate)
    {
        var errors = SubscribeSchemas.ValidateEnvelope(SubscribeRequestWriter.Write(Request(watermark, allFolders, impersonate)));

        Assert.Empty(errors);
    }

    [Fact]
    public void Write_WithWatermark_PutsElementsInMicrosoftsOrder()
    {
        var document = XDocument.Load(new MemoryStream(SubscribeRequestWriter.Write(Request("WM1"))));
        var push = document.Descendants(M + "PushSubscriptionRequest").Single();

        Assert.Equal(["FolderIds", "EventTypes", "Watermark", "StatusFrequency", "URL"], push.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(["inbox", "calendar"], push.Element(T + "FolderIds")!.Elements(T + "DistinguishedFolderId").Select(f => (string)f.Attribute("Id")!));
        Assert.Equal("WM1", push.Element(T + "Watermark")!.Value);
        Assert.Equal("5", push.Element(T + "StatusFrequency")!.Value);
        Assert.Equal("https://push.example.com/ews/notifications/abcdefghijklmnopqrstuvwxyz0123456789", push.Element(T + "URL")!.Value);
        Assert.Null(push.Attribute("SubscribeToAllFolders"));
    }

    [Fact]
    public void Write_AllFolders_UsesTheAttributeAndNoFolderIds()
    {
        var document = XDocument.Load(new MemoryStream(SubscribeRequestWriter.Write(Request(allFolders: true))));
        var push = document.Descendants(M + "PushSubscriptionRequest").Single();

        Assert.Equal("true", (string?)push.Attribute("SubscribeToAllFolders"));
        Assert.Equal(["EventTypes", "StatusFrequency", "URL"], push.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public void Write_Impersonating_NamesTheMailboxInTheHeader()
    {
        var document = XDocument.Load(new MemoryStream(SubscribeRequestWriter.Write(Request())));

        Assert.Equal("alice@contoso.com", document.Descendants(T + "ExchangeImpersonation").Single().Element(T + "ConnectingSID")!.Element(T + "SmtpAddress")!.Value);
        Assert.Equal("Exchange2013_SP1", (string?)document.Descendants(T + "RequestServerVersion").Single().Attribute("Version"));
    }

    [Fact]
    public void Write_NotImpersonating_HasNoImpersonationHeaderAndNoDelegateMailbox()
    {
        var document = XDocument.Load(new MemoryStream(SubscribeRequestWriter.Write(Request(impersonate: false))));

        Assert.Empty(document.Descendants(T + "ExchangeImpersonation"));
        // Push subscriptions refuse delegate access: the folder never names another mailbox.
        Assert.Empty(document.Descendants(T + "Mailbox"));
    }

    [Fact]
    public void Schema_RefusesElementsOutOfOrder()
    {
        // The check must be able to fail: Watermark after StatusFrequency is what a careless writer produces.
        var document = XDocument.Load(new MemoryStream(SubscribeRequestWriter.Write(Request("WM1"))));
        var push = document.Descendants(M + "PushSubscriptionRequest").Single();
        var watermark = push.Element(T + "Watermark")!;
        watermark.Remove();
        push.Element(T + "StatusFrequency")!.AddAfterSelf(watermark);

        Assert.NotEmpty(SubscribeSchemas.Validate(document.Descendants(M + "Subscribe").Single()));
    }
}
