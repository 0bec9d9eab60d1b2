using System.Text;
using PushListener.Protocol;
using PushListener.Simulator.Generation;
using PushListener.Simulator.Tests.Infrastructure;

namespace PushListener.Simulator.Tests;

public sealed class GeneratorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static SubscriptionStream Stream(int index = 0, GeneratorOptions? options = null) =>
        new PushGenerator(options ?? new GeneratorOptions { Seed = 42 }).CreateSubscription(index);

    private static PushRequest Parse(GeneratedPush push) => SendNotificationReader.Read(push.Body);

    [Fact]
    public void Heartbeat_FirstPush_IsAStatusEventChainedFromTheStartWatermark()
    {
        var stream = Stream();
        var start = stream.LastWatermark;

        var push = stream.Heartbeat(Now);
        var notification = Parse(push).Messages.Single().Notification!;

        Assert.Equal(PushKind.Heartbeat, push.Kind);
        Assert.True(notification.IsHeartbeat);
        Assert.Equal(stream.SubscriptionId, notification.SubscriptionId);
        Assert.Equal(start, notification.PreviousWatermark);
        Assert.Equal(stream.LastWatermark, notification.LastWatermark);
        Assert.NotEqual(start, notification.LastWatermark);
    }

    [Fact]
    public void NextActivity_ManyPushes_ParseAndChainWatermarks()
    {
        var stream = Stream();
        var previousLast = stream.LastWatermark;
        var seen = new HashSet<string>(StringComparer.Ordinal) { previousLast };

        for (var i = 0; i < 300; i++)
        {
            var pushes = stream.NextActivity(Now);
            for (var p = 0; p < pushes.Count; p++)
            {
                var notification = Parse(pushes[p]).Messages.Single().Notification!;
                Assert.Equal(previousLast, notification.PreviousWatermark);
                Assert.Equal(pushes[p].EventKinds, notification.Events.Select(e => e.Kind));
                Assert.Equal(p < pushes.Count - 1, notification.MoreEvents);
                foreach (var e in notification.Events)
                {
                    Assert.True(seen.Add(e.Watermark!), "every watermark is new");
                }

                previousLast = notification.LastWatermark!;
            }
        }

        Assert.Equal(previousLast, stream.LastWatermark);
    }

    [Fact]
    public void NextActivity_ManyPushes_CoverEveryEventKindWithItemAndFolderIds()
    {
        var stream = Stream();
        var events = Enumerable.Range(0, 400)
            .SelectMany(_ => stream.NextActivity(Now))
            .SelectMany(p => Parse(p).Messages.Single().Notification!.Events)
            .ToList();

        var kinds = events.Select(e => e.Kind).ToHashSet();
        foreach (var kind in Enum.GetValues<EventKind>().Where(k => k is not (EventKind.Status or EventKind.Unknown)))
        {
            Assert.Contains(kind, kinds);
        }

        Assert.Contains(events, e => e.IsFolderEvent && e.Kind == EventKind.Created);
        Assert.Contains(events, e => e.IsFolderEvent && e.Kind == EventKind.Moved && e.OldObjectId is { Kind: ObjectIdKind.Folder });
        Assert.Contains(events, e => !e.IsFolderEvent && e.Kind == EventKind.Moved && e.OldObjectId is { Kind: ObjectIdKind.Item });
        Assert.Contains(events, e => e.Kind == EventKind.Modified && e.IsFolderEvent && e.UnreadCount is not null);
        Assert.All(events, e =>
        {
            Assert.NotNull(e.TimeStamp);
            Assert.NotNull(e.ObjectId?.ChangeKey);
            Assert.NotNull(e.ParentFolderId);
            Assert.Equal(e.Kind is EventKind.Moved or EventKind.Copied, e.OldObjectId is not null && e.OldParentFolderId is not null);
        });
    }

    [Fact]
    public void NextActivity_NewMailThenRead_ReusesTheSameItemId()
    {
        var stream = Stream();
        var events = Enumerable.Range(0, 200)
            .SelectMany(_ => stream.NextActivity(Now))
            .SelectMany(p => Parse(p).Messages.Single().Notification!.Events)
            .ToList();

        var arrived = events.Where(e => e.Kind == EventKind.NewMail).Select(e => e.ObjectId!.Value.Id).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(events, e => (e.Kind is EventKind.Modified or EventKind.Moved or EventKind.Deleted) && arrived.Contains((e.OldObjectId ?? e.ObjectId)!.Value.Id));
    }

    [Fact]
    public void EveryEventType_OnePush_CarriesAllEightKinds()
    {
        var push = Stream().EveryEventType(Now);

        var notification = Parse(push).Messages.Single().Notification!;

        Assert.Equal(Enum.GetValues<EventKind>().Where(k => k != EventKind.Unknown).ToHashSet(), notification.Events.Select(e => e.Kind).ToHashSet());
        Assert.Null(notification.Events.Single(e => e.Kind == EventKind.Status).ObjectId);
    }

    [Fact]
    public void Split_MoreEventsThanTheLimit_ChainsPushesWithMoreEvents()
    {
        var stream = Stream(options: new GeneratorOptions { Seed = 3, MaxEventsPerPush = 10 });
        var start = stream.LastWatermark;

        var pushes = stream.Split([.. Enumerable.Repeat(new GeneratedEvent(EventKind.Status), 25)], Now);

        Assert.Equal([10, 10, 5], pushes.Select(p => p.EventKinds.Count));
        Assert.Equal([true, true, false], pushes.Select(p => Parse(p).Messages[0].Notification!.MoreEvents));
        Assert.Equal(start, pushes[0].PreviousWatermark);
        Assert.Equal(pushes[0].LastWatermark, pushes[1].PreviousWatermark);
        Assert.Equal(pushes[1].LastWatermark, pushes[2].PreviousWatermark);
    }

    [Fact]
    public void ErrorPush_Parses_AsErrorWithTheSubscriptionIdOnlyInMessageXml()
    {
        var stream = Stream();
        stream.Heartbeat(Now);

        var push = stream.ErrorPush();
        var message = Parse(push).Messages.Single();

        Assert.True(message.IsError);
        Assert.Equal("ErrorReadEventsFailed", message.ResponseCode);
        Assert.Null(message.Notification);
        Assert.Equal(stream.SubscriptionId, message.SubscriptionId);
        Assert.Equal(stream.LastWatermark, message.MessageXmlValues["LastWatermark"]);
        Assert.Equal(0, message.DescriptiveLinkKey);
        Assert.NotNull(message.MessageText);
    }

    [Fact]
    public void Heartbeat_Soap12_WritesTheSoap12Envelope()
    {
        var push = Stream(options: new GeneratorOptions { SoapVersion = SoapVersion.Soap12, ServerVersion = "Exchange2010_SP1" }).Heartbeat(Now);

        var request = Parse(push);

        Assert.Equal(SoapVersion.Soap12, request.SoapVersion);
        Assert.Equal("Exchange2010_SP1", request.RequestServerVersion);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?><soap12:Envelope", Encoding.UTF8.GetString(push.Body.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void Heartbeat_Soap11_HasExchangeOnlinesEnvelopeByteForByte()
    {
        // Everything but the body's content must match the Exchange Online capture exactly.
        var capture = Encoding.UTF8.GetString(Fixture.Bytes("exchange-online-created.xml"));
        var generated = Encoding.UTF8.GetString(Stream().Heartbeat(Now).Body.Span);

        static string UpToNotification(string xml) => xml[..xml.IndexOf("<m:Notification>", StringComparison.Ordinal)];

        Assert.Equal(UpToNotification(capture), UpToNotification(generated));
    }

    [Fact]
    public void CreateSubscription_SameSeedAndIndex_GeneratesTheSameBytes()
    {
        var a = Stream(7);
        var b = Stream(7);
        var other = Stream(8);

        Assert.Equal(a.NextActivity(Now)[0].Body.ToArray(), b.NextActivity(Now)[0].Body.ToArray());
        Assert.NotEqual(a.SubscriptionId, other.SubscriptionId);
    }

    [Fact]
    public void ExchangeIds_Shapes_MatchRealLayouts()
    {
        var subscription = Convert.FromBase64String(ExchangeIds.SubscriptionId("VI1PR08MB3150.eurprd08.prod.outlook.com", Guid.NewGuid()));
        var watermark = ExchangeIds.Watermark(Guid.NewGuid(), 0x1a3f59);

        Assert.Equal(39, subscription[0]);
        Assert.Equal("VI1PR08MB3150.eurprd08.prod.outlook.com", Encoding.ASCII.GetString(subscription, 2, 39));
        Assert.Equal(ExchangeIds.WatermarkLength, watermark.Length);
        Assert.StartsWith("AQAAA", watermark, StringComparison.Ordinal);
        Assert.EndsWith("WQAAAAA=", watermark, StringComparison.Ordinal); // counter low byte 0x59, then zeros
    }
}
