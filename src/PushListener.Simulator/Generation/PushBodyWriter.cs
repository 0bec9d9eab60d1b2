using System.Globalization;
using System.Text;
using System.Xml;
using PushListener.Protocol;

namespace PushListener.Simulator.Generation;

/// <summary>
/// Writes push bodies byte-for-byte shaped like Exchange Online's (<c>soap11:</c> prefix, one line, RequestServerVersion
/// header, namespaces declared on SendNotification): notifications and error pushes.
/// </summary>
internal static class PushBodyWriter
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly XmlWriterSettings WriterSettings = new() { Encoding = Utf8NoBom, Indent = false };

    /// <summary>A notification carrying <paramref name="events"/> with their <paramref name="watermarks"/>, chained to <paramref name="previous"/>.</summary>
    public static byte[] Notification(
        SoapVersion soapVersion,
        string serverVersion,
        string subscriptionId,
        string previous,
        bool moreEvents,
        IReadOnlyList<GeneratedEvent> events,
        IReadOnlyList<string> watermarks,
        DateTimeOffset now)
    {
        var timeStamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return Write(soapVersion, serverVersion, w =>
        {
            w.WriteStartElement("m", "SendNotificationResponseMessage", XmlNames.Messages);
            w.WriteAttributeString("ResponseClass", "Success");
            w.WriteElementString("m", "ResponseCode", XmlNames.Messages, "NoError");
            // Notification is in the messages namespace on the wire, its children in the types namespace.
            w.WriteStartElement("m", "Notification", XmlNames.Messages);
            w.WriteElementString("t", "SubscriptionId", XmlNames.Types, subscriptionId);
            w.WriteElementString("t", "PreviousWatermark", XmlNames.Types, previous);
            w.WriteElementString("t", "MoreEvents", XmlNames.Types, moreEvents ? "true" : "false");
            for (var i = 0; i < events.Count; i++)
            {
                WriteEvent(w, events[i], watermarks[i], timeStamp);
            }

            w.WriteEndElement();
            w.WriteEndElement();
        });
    }

    /// <summary>
    /// An error push: ResponseClass Error, ErrorReadEventsFailed, no Notification, the subscription id and last
    /// watermark only in MessageXml.
    /// </summary>
    public static byte[] ErrorPush(SoapVersion soapVersion, string serverVersion, string subscriptionId, string lastWatermark) =>
        Write(soapVersion, serverVersion, w =>
        {
            w.WriteStartElement("m", "SendNotificationResponseMessage", XmlNames.Messages);
            w.WriteAttributeString("ResponseClass", "Error");
            w.WriteElementString("m", "MessageText", XmlNames.Messages, "Events could not be read for this subscription. Create the subscription again.");
            w.WriteElementString("m", "ResponseCode", XmlNames.Messages, "ErrorReadEventsFailed");
            w.WriteElementString("m", "DescriptiveLinkKey", XmlNames.Messages, "0");
            w.WriteStartElement("m", "MessageXml", XmlNames.Messages);
            WriteValue(w, "SubscriptionId", subscriptionId);
            WriteValue(w, "LastWatermark", lastWatermark);
            w.WriteEndElement();
            w.WriteEndElement();
        });

    private static void WriteValue(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("t", "Value", XmlNames.Types);
        w.WriteAttributeString("Name", name);
        w.WriteString(value);
        w.WriteEndElement();
    }

    private static void WriteEvent(XmlWriter w, GeneratedEvent e, string watermark, string timeStamp)
    {
        w.WriteStartElement("t", ElementName(e.Kind), XmlNames.Types);
        w.WriteElementString("t", "Watermark", XmlNames.Types, watermark);
        if (e.Kind != EventKind.Status)
        {
            w.WriteElementString("t", "TimeStamp", XmlNames.Types, timeStamp);
            var target = e.Object!.Value;
            WriteId(w, target.IsFolder ? "FolderId" : "ItemId", target);
            WriteId(w, "ParentFolderId", e.Parent!.Value);
            if (e.Kind == EventKind.Modified && e.UnreadCount is { } unread)
            {
                w.WriteElementString("t", "UnreadCount", XmlNames.Types, unread.ToString(CultureInfo.InvariantCulture));
            }

            if (e.OldObject is { } old)
            {
                WriteId(w, old.IsFolder ? "OldFolderId" : "OldItemId", old);
                WriteId(w, "OldParentFolderId", e.OldParent!.Value);
            }
        }

        w.WriteEndElement();
    }

    private static void WriteId(XmlWriter w, string name, ExchangeObject id)
    {
        w.WriteStartElement("t", name, XmlNames.Types);
        w.WriteAttributeString("Id", id.Id);
        w.WriteAttributeString("ChangeKey", id.ChangeKey);
        w.WriteEndElement();
    }

    /// <summary>The EWS element name of <paramref name="kind"/> (<c>NewMailEvent</c>, ...).</summary>
    public static string ElementName(EventKind kind) => kind switch
    {
        EventKind.Copied => "CopiedEvent",
        EventKind.Created => "CreatedEvent",
        EventKind.Deleted => "DeletedEvent",
        EventKind.Modified => "ModifiedEvent",
        EventKind.Moved => "MovedEvent",
        EventKind.NewMail => "NewMailEvent",
        EventKind.Status => "StatusEvent",
        EventKind.FreeBusyChanged => "FreeBusyChangedEvent",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static byte[] Write(SoapVersion soapVersion, string serverVersion, Action<XmlWriter> writeMessages)
    {
        var soapNs = XmlNames.EnvelopeNamespace(soapVersion);
        // Exchange Online's prefixes: soap11 (and soap12 for the 1.2 binding).
        var soap = soapVersion == SoapVersion.Soap11 ? "soap11" : "soap12";
        using var buffer = new MemoryStream(2048);
        using (var w = XmlWriter.Create(buffer, WriterSettings))
        {
            w.WriteStartDocument();
            w.WriteStartElement(soap, "Envelope", soapNs);
            w.WriteStartElement(soap, "Header", soapNs);
            // Declarations written out so that their order is Exchange Online's: t, then m.
            w.WriteStartElement("t", "RequestServerVersion", XmlNames.Types);
            w.WriteAttributeString("xmlns", "t", null, XmlNames.Types);
            w.WriteAttributeString("xmlns", "m", null, XmlNames.Messages);
            w.WriteAttributeString("Version", serverVersion);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteStartElement(soap, "Body", soapNs);
            w.WriteStartElement("m", "SendNotification", XmlNames.Messages);
            w.WriteAttributeString("xmlns", "m", null, XmlNames.Messages);
            w.WriteAttributeString("xmlns", "t", null, XmlNames.Types);
            w.WriteStartElement("m", "ResponseMessages", XmlNames.Messages);
            writeMessages(w);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return buffer.ToArray();
    }
}
