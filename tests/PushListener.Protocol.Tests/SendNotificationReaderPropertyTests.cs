using System.Text;
using System.Xml;
using Xunit;
using Xunit.Sdk;

namespace PushListener.Protocol.Tests;

/// <summary>
/// Round trip over randomly generated pushes: random SOAP version, prefixes (default namespaces included), message mix,
/// event kinds, ids with and without ChangeKey, time stamps with any legal offset, comments and unknown elements.
/// Every run uses the same seeds, so a failure names the seed that reproduces it.
/// </summary>
public sealed class SendNotificationReaderPropertyTests
{
    private static readonly EventKind[] Kinds = [.. Enum.GetValues<EventKind>().Where(k => k != EventKind.Unknown)];
    private static readonly string[] SoapPrefixes = ["soap11", "soap", "s", "env", "SOAP-ENV"];
    private static readonly string[] ExchangePrefixes = ["m", "t", "ns1", "x", string.Empty];
    private static readonly string[] Versions = ["Exchange2007_SP1", "Exchange2010", "Exchange2010_SP2", "Exchange2013", "Exchange2016"];

    [Fact]
    public void Read_RandomlyGeneratedPushes_RoundTripEveryField()
    {
        for (var seed = 0; seed < 400; seed++)
        {
            var random = new Random(seed);
            var expected = RandomRequest(random);
            var bytes = Write(expected, random);
            try
            {
                var actual = SendNotificationReader.Read(bytes);
                AssertSame(expected, actual);
            }
            catch (Exception ex) when (ex is XunitException or PushRequestException)
            {
                throw new XunitException($"Seed {seed}: {ex.Message}\n{Encoding.UTF8.GetString(bytes)}");
            }
        }
    }

    private static PushRequest RandomRequest(Random random)
    {
        var messages = new List<NotificationMessage>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            if (random.Next(6) == 0)
            {
                var values = new Dictionary<string, string> { ["SubscriptionId"] = Opaque(random) };
                if (random.Next(2) == 0)
                {
                    values["LastWatermark"] = Opaque(random);
                }

                messages.Add(new NotificationMessage(ResponseClass.Error, "ErrorReadEventsFailed", "Events could not be read <&> \"now\".", random.Next(2) == 0 ? 0 : null, values, null));
                continue;
            }

            var events = new List<NotificationEvent>();
            for (var e = random.Next(1, 7); e > 0; e--)
            {
                events.Add(RandomEvent(random));
            }

            var notification = new Notification(Opaque(random), random.Next(4) == 0 ? null : Opaque(random), random.Next(2) == 0, events);
            messages.Add(new NotificationMessage(random.Next(5) == 0 ? ResponseClass.Warning : ResponseClass.Success, "NoError", null, null, null, notification));
        }

        return new PushRequest(random.Next(2) == 0 ? SoapVersion.Soap11 : SoapVersion.Soap12, random.Next(5) == 0 ? null : Versions[random.Next(Versions.Length)], messages);
    }

    private static NotificationEvent RandomEvent(Random random)
    {
        var kind = Kinds[random.Next(Kinds.Length)];
        var watermark = random.Next(8) == 0 ? null : Opaque(random);
        if (kind == EventKind.Status)
        {
            return new NotificationEvent(kind, watermark);
        }

        var folder = random.Next(2) == 0;
        var offset = TimeSpan.FromMinutes(random.Next(-14 * 4, (14 * 4) + 1) * 15);
        var timeStamp = new DateTimeOffset(2000 + random.Next(40), random.Next(1, 13), random.Next(1, 29), random.Next(24), random.Next(60), random.Next(60), offset)
            .AddTicks(random.Next(2) == 0 ? 0 : random.Next(10_000_000));
        var objectId = RandomId(random, folder);
        var parent = RandomId(random, folder: true);
        ObjectId? old = null, oldParent = null;
        if (kind is EventKind.Moved or EventKind.Copied)
        {
            old = RandomId(random, folder);
            oldParent = RandomId(random, folder: true);
        }

        int? unread = kind == EventKind.Modified && folder && random.Next(2) == 0 ? random.Next(-1, int.MaxValue) : null;
        return new NotificationEvent(kind, watermark, timeStamp, objectId, parent, old, oldParent, unread);
    }

    private static ObjectId RandomId(Random random, bool folder) =>
        new(folder ? ObjectIdKind.Folder : ObjectIdKind.Item, Opaque(random), random.Next(3) == 0 ? null : Opaque(random));

    private static string Opaque(Random random)
    {
        var bytes = new byte[random.Next(1, 90)];
        random.NextBytes(bytes);
        return Convert.ToBase64String(bytes);
    }

    private static byte[] Write(PushRequest request, Random random)
    {
        var soapNs = XmlNames.EnvelopeNamespace(request.SoapVersion);
        var s = SoapPrefixes[random.Next(SoapPrefixes.Length)];
        var m = ExchangePrefixes[random.Next(ExchangePrefixes.Length)];
        var t = ExchangePrefixes[random.Next(ExchangePrefixes.Length)];
        if (m == t && m.Length > 0)
        {
            t = string.Empty;
        }

        using var buffer = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(random.Next(2) == 0), Indent = random.Next(2) == 0 };
        using (var w = XmlWriter.Create(buffer, settings))
        {
            void Noise()
            {
                switch (random.Next(6))
                {
                    case 0:
                        w.WriteComment(" noise ");
                        break;
                    case 1:
                        w.WriteStartElement("z", "Unknown", "urn:test:unknown");
                        w.WriteAttributeString("a", "1");
                        w.WriteElementString("z", "SubscriptionId", "urn:test:unknown", "not-this");
                        w.WriteEndElement();
                        break;
                    case 2:
                        w.WriteElementString(t, "FutureElement", XmlNames.Types, "ignored");
                        break;
                }
            }

            void Id(string name, ObjectId? id)
            {
                if (id is not { } value)
                {
                    return;
                }

                w.WriteStartElement(t, name, XmlNames.Types);
                w.WriteAttributeString("Id", value.Id);
                if (value.ChangeKey is not null)
                {
                    w.WriteAttributeString("ChangeKey", value.ChangeKey);
                }

                w.WriteEndElement();
            }

            w.WriteStartDocument();
            w.WriteStartElement(s, "Envelope", soapNs);
            if (request.RequestServerVersion is not null || random.Next(2) == 0)
            {
                w.WriteStartElement(s, "Header", soapNs);
                Noise();
                if (request.RequestServerVersion is not null)
                {
                    w.WriteStartElement(t, "RequestServerVersion", random.Next(4) == 0 ? XmlNames.Messages : XmlNames.Types);
                    w.WriteAttributeString("Version", request.RequestServerVersion);
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            w.WriteStartElement(s, "Body", soapNs);
            w.WriteStartElement(m, "SendNotification", XmlNames.Messages);
            w.WriteStartElement(m, "ResponseMessages", XmlNames.Messages);
            foreach (var message in request.Messages)
            {
                w.WriteStartElement(m, "SendNotificationResponseMessage", XmlNames.Messages);
                w.WriteAttributeString("ResponseClass", message.ResponseClass.ToString());
                if (message.MessageText is not null)
                {
                    w.WriteElementString(m, "MessageText", XmlNames.Messages, message.MessageText);
                }

                w.WriteElementString(m, "ResponseCode", XmlNames.Messages, message.ResponseCode);
                if (message.DescriptiveLinkKey is { } key)
                {
                    w.WriteElementString(m, "DescriptiveLinkKey", XmlNames.Messages, XmlConvert.ToString(key));
                }

                if (message.MessageXmlValues.Count > 0)
                {
                    w.WriteStartElement(m, "MessageXml", XmlNames.Messages);
                    foreach (var (name, value) in message.MessageXmlValues)
                    {
                        w.WriteStartElement(t, "Value", XmlNames.Types);
                        w.WriteAttributeString("Name", name);
                        w.WriteString(value);
                        w.WriteEndElement();
                    }

                    w.WriteEndElement();
                }

                Noise();
                if (message.Notification is { } n)
                {
                    w.WriteStartElement(m, "Notification", XmlNames.Messages);
                    w.WriteElementString(t, "SubscriptionId", XmlNames.Types, n.SubscriptionId);
                    if (n.PreviousWatermark is not null)
                    {
                        w.WriteElementString(t, "PreviousWatermark", XmlNames.Types, n.PreviousWatermark);
                    }

                    if (n.MoreEvents || random.Next(2) == 0)
                    {
                        w.WriteElementString(t, "MoreEvents", XmlNames.Types, random.Next(2) == 0 ? XmlConvert.ToString(n.MoreEvents) : n.MoreEvents ? "1" : "0");
                    }

                    foreach (var e in n.Events)
                    {
                        Noise();
                        w.WriteStartElement(t, e.Kind + "Event", XmlNames.Types);
                        if (e.Watermark is not null)
                        {
                            w.WriteElementString(t, "Watermark", XmlNames.Types, e.Watermark);
                        }

                        if (e.TimeStamp is { } timeStamp)
                        {
                            w.WriteElementString(t, "TimeStamp", XmlNames.Types, XmlConvert.ToString(timeStamp));
                        }

                        var folder = e.ObjectId is { Kind: ObjectIdKind.Folder };
                        Id(folder ? "FolderId" : "ItemId", e.ObjectId);
                        Id("ParentFolderId", e.ParentFolderId);
                        if (e.UnreadCount is { } unread)
                        {
                            w.WriteElementString(t, "UnreadCount", XmlNames.Types, XmlConvert.ToString(unread));
                        }

                        Id(folder ? "OldFolderId" : "OldItemId", e.OldObjectId);
                        Id("OldParentFolderId", e.OldParentFolderId);
                        Noise();
                        w.WriteEndElement();
                    }

                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    private static void AssertSame(PushRequest expected, PushRequest actual)
    {
        Assert.Equal(expected.SoapVersion, actual.SoapVersion);
        Assert.Equal(expected.RequestServerVersion, actual.RequestServerVersion);
        Assert.Equal(expected.Messages.Count, actual.Messages.Count);
        Assert.Equal(expected.EventCount, actual.EventCount);
        for (var i = 0; i < expected.Messages.Count; i++)
        {
            var x = expected.Messages[i];
            var a = actual.Messages[i];
            Assert.Equal(x.ResponseClass, a.ResponseClass);
            Assert.Equal(x.ResponseCode, a.ResponseCode);
            Assert.Equal(x.MessageText, a.MessageText);
            Assert.Equal(x.DescriptiveLinkKey, a.DescriptiveLinkKey);
            Assert.Equal(x.MessageXmlValues, a.MessageXmlValues);
            Assert.Equal(x.SubscriptionId, a.SubscriptionId);
            if (x.Notification is null)
            {
                Assert.Null(a.Notification);
                continue;
            }

            var n = Assert.IsType<Notification>(a.Notification);
            Assert.Equal(x.Notification.SubscriptionId, n.SubscriptionId);
            Assert.Equal(x.Notification.PreviousWatermark, n.PreviousWatermark);
            Assert.Equal(x.Notification.MoreEvents, n.MoreEvents);
            Assert.Equal(x.Notification.Events.Count, n.Events.Count);
            for (var e = 0; e < n.Events.Count; e++)
            {
                var xe = x.Notification.Events[e];
                Expect.Event(n.Events[e], xe.Kind, xe.Watermark, xe.TimeStamp, xe.ObjectId, xe.ParentFolderId, xe.OldObjectId, xe.OldParentFolderId, xe.UnreadCount);
            }
        }
    }
}
