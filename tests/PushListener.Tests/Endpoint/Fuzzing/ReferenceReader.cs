using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace PushListener.Tests.Endpoint.Fuzzing;

/// <summary>
/// The protocol rule of docs/architecture.md written a second time, independently of the listener's streaming parser:
/// a whole-document reading over LINQ to XML that says whether a body must be refused or accepted, and if accepted what
/// must be delivered (as a canonical text, compared with the listener's own delivery). The fuzz test trusts neither: it
/// fails where they disagree.
/// </summary>
internal static class ReferenceReader
{
    private const string Soap11 = "http://schemas.xmlsoap.org/soap/envelope/";
    private const string Soap12 = "http://www.w3.org/2003/05/soap-envelope";
    private const string M = "http://schemas.microsoft.com/exchange/services/2006/messages";
    private const string T = "http://schemas.microsoft.com/exchange/services/2006/types";
    private const int MaxDepth = 32;
    private static readonly char[] Ws = [' ', '\t', '\r', '\n'];

    private static readonly Dictionary<string, string> Events = new(StringComparer.Ordinal)
    {
        ["CopiedEvent"] = "Copied", ["CreatedEvent"] = "Created", ["DeletedEvent"] = "Deleted", ["ModifiedEvent"] = "Modified",
        ["MovedEvent"] = "Moved", ["NewMailEvent"] = "NewMail", ["StatusEvent"] = "Status", ["FreeBusyChangedEvent"] = "FreeBusyChanged",
    };

    private static readonly HashSet<string> EventParts = new(StringComparer.Ordinal)
    {
        "Watermark", "TimeStamp", "ItemId", "FolderId", "ParentFolderId", "OldItemId", "OldFolderId", "OldParentFolderId", "UnreadCount",
    };

    /// <summary>The canonical delivery of <paramref name="body"/>, or <see langword="null"/> when the rule refuses it.</summary>
    public static string? Read(byte[] body, int maxMessages)
    {
        XDocument document;
        try
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
                IgnoreWhitespace = true,
            };
            using var reader = XmlReader.Create(new MemoryStream(body), settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return null;
        }

        try
        {
            return Envelope(document.Root!, maxMessages);
        }
        catch (RefusedException)
        {
            return null;
        }
    }

    private static string Envelope(XElement root, int maxMessages)
    {
        if (root.DescendantsAndSelf().Any(e => Depth(e) > MaxDepth))
        {
            Refuse();
        }

        var soap = root.Name.NamespaceName;
        Check(root.Name.LocalName == "Envelope" && soap is Soap11 or Soap12);
        ElementOnly(root);
        var children = root.Elements().ToList();
        var header = children.Count == 2 ? children[0] : null;
        var body = children.Count == 2 ? children[1] : children.Count == 1 ? children[0] : null;
        Check(body is not null && body.Name == XName.Get("Body", soap));
        Check(header is null || header.Name == XName.Get("Header", soap));

        var text = new StringBuilder();
        text.Append("soap=").Append(soap == Soap11 ? "1.1" : "1.2").Append('\n');
        text.Append("version=").Append(header is null ? null : Header(header, soap)).Append('\n');

        ElementOnly(body!);
        var send = Single(body!.Elements());
        Check(send.Name == XName.Get("SendNotification", M));
        ElementOnly(send);
        var responses = Structure(send, "ResponseMessages");
        Check(responses.Count == 1);
        ElementOnly(responses[0]);
        var messages = Structure(responses[0], "SendNotificationResponseMessage");
        Check(messages.Count is > 0 && messages.Count <= maxMessages);
        var events = 0;
        foreach (var message in messages)
        {
            Message(message, text, ref events);
        }

        Check(events <= 10_000);
        return text.ToString();
    }

    private static string? Header(XElement header, string soap)
    {
        ElementOnly(header);
        string? version = null;
        var versionSeen = false;
        var notUnderstood = false;
        foreach (var block in header.Elements())
        {
            var mustUnderstand = block.Attribute(XName.Get("mustUnderstand", soap))?.Value.Trim(Ws) switch
            {
                null or "0" or "false" => false,
                "1" or "true" => true,
                _ => Refuse<bool>(),
            };
            if (block.Name.LocalName == "RequestServerVersion" && IsEws(block))
            {
                Check(!versionSeen);
                versionSeen = true;
                var value = block.Attribute("Version")?.Value.Trim(Ws);
                version = string.IsNullOrEmpty(value) ? null : value;
            }
            else if (mustUnderstand)
            {
                var target = soap == Soap11 ? block.Attribute(XName.Get("actor", soap))?.Value.Trim(Ws) : block.Attribute(XName.Get("role", soap))?.Value.Trim(Ws);
                // SOAP 1.1 knows only the "next" actor; SOAP 1.2's role URIs are other nodes' names there (found by seed 7).
                notUnderstood |= string.IsNullOrEmpty(target) || (soap == Soap11
                    ? target == "http://schemas.xmlsoap.org/soap/actor/next"
                    : target is "http://www.w3.org/2003/05/soap-envelope/role/next" or "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver");
            }
        }

        Check(!notUnderstood);
        return version;
    }

    private static void Message(XElement message, StringBuilder text, ref int events)
    {
        var responseClass = message.Attribute("ResponseClass")?.Value.Trim(Ws);
        Check(responseClass is "Success" or "Warning" or "Error");
        ElementOnly(message);
        var code = Optional(message, "ResponseCode") is { } c ? TextOf(c).Trim(Ws) : null;
        var messageText = Optional(message, "MessageText") is { } t ? TextOf(t) : null;
        var linkKey = Optional(message, "DescriptiveLinkKey") is { } k ? Int(k) : null;
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Optional(message, "MessageXml") is { } xml)
        {
            ElementOnly(xml);
            foreach (var value in xml.Elements().Where(e => e.Name.LocalName == "Value" && IsEws(e) && e.Attribute("Name") is not null))
            {
                Check(values.TryAdd(value.Attribute("Name")!.Value, TextOf(value).Trim(Ws)));
            }
        }

        var notification = Optional(message, "Notification");
        Check(notification is not null || responseClass != "Success");
        text.Append("message ").Append(responseClass).Append(' ').Append(string.IsNullOrEmpty(code) ? "NoError" : code)
            .Append(" text=").Append(messageText).Append(" link=").Append(linkKey)
            .Append(" values=").Append(string.Join(";", values.Select(v => v.Key + "=" + v.Value))).Append('\n');
        if (notification is not null)
        {
            Notification(notification, text, ref events);
        }
    }

    private static void Notification(XElement notification, StringBuilder text, ref int count)
    {
        ElementOnly(notification);
        var subscription = Optional(notification, "SubscriptionId") is { } s ? Id(s) : Refuse<string>();
        var previous = Optional(notification, "PreviousWatermark") is { } p ? Id(p) : null;
        var more = Optional(notification, "MoreEvents") is { } m ? TextOf(m).Trim(Ws) switch
        {
            "true" or "1" => "true",
            "false" or "0" => "false",
            _ => Refuse<string>(),
        } : "absent";
        text.Append("notification ").Append(subscription).Append(" previous=").Append(previous).Append(" more=").Append(more).Append('\n');
        var events = 0;
        foreach (var child in notification.Elements())
        {
            var name = child.Name.LocalName;
            if (Events.TryGetValue(name, out var kind))
            {
                Check(IsEws(child));
                Event(child, kind, text);
                events++;
            }
            else if (IsEws(child) && name.EndsWith("Event", StringComparison.Ordinal))
            {
                var watermarks = child.Elements().Where(e => e.Name.LocalName == "Watermark" && IsEws(e)).ToList();
                Check(watermarks.Count <= 1);
                text.Append("  Unknown element=").Append(name).Append(" watermark=").Append(watermarks.Count == 1 ? Id(watermarks[0]) : null).Append('\n');
                events++;
            }
        }

        Check(events > 0);
        count += events;
    }

    private static void Event(XElement e, string kind, StringBuilder text)
    {
        ElementOnly(e);
        foreach (var part in e.Elements().Where(p => EventParts.Contains(p.Name.LocalName)))
        {
            Check(IsEws(part));
        }

        Check(e.Elements().Count(p => p.Name.LocalName is "ItemId" or "FolderId") <= 1);
        Check(e.Elements().Count(p => p.Name.LocalName is "OldItemId" or "OldFolderId") <= 1);
        var watermark = Optional(e, "Watermark") is { } w ? Id(w) : null;
        var timeStamp = Optional(e, "TimeStamp") is { } ts ? DateTime(ts) : null;
        var objectId = e.Elements().FirstOrDefault(p => p.Name.LocalName is "ItemId" or "FolderId") is { } o ? ObjectId(o) : null;
        var parent = Optional(e, "ParentFolderId") is { } pf ? ObjectId(pf, "Folder") : null;
        var old = e.Elements().FirstOrDefault(p => p.Name.LocalName is "OldItemId" or "OldFolderId") is { } oi ? ObjectId(oi) : null;
        var oldParent = Optional(e, "OldParentFolderId") is { } op ? ObjectId(op, "Folder") : null;
        var unread = Optional(e, "UnreadCount") is { } u ? Int(u) : null;
        if (kind != "Status")
        {
            Check(timeStamp is not null && objectId is not null && parent is not null);
            Check(kind is not ("Moved" or "Copied") || (old is not null && oldParent is not null));
        }

        text.Append("  ").Append(kind).Append(" watermark=").Append(watermark).Append(" time=").Append(timeStamp)
            .Append(" id=").Append(objectId).Append(" parent=").Append(parent).Append(" old=").Append(old)
            .Append(" oldParent=").Append(oldParent).Append(" unread=").Append(unread).Append('\n');
    }

    /// <summary>The canonical text of what the listener delivered: the same shape as <see cref="Read"/> writes.</summary>
    public static string Describe(bool soap12, string? requestServerVersion, IEnumerable<NotificationMessage> messages)
    {
        var text = new StringBuilder();
        text.Append("soap=").Append(soap12 ? "1.2" : "1.1").Append('\n');
        text.Append("version=").Append(requestServerVersion).Append('\n');
        foreach (var message in messages)
        {
            text.Append("message ").Append(message.ResponseClass).Append(' ').Append(message.ResponseCode)
                .Append(" text=").Append(message.MessageText).Append(" link=").Append(message.DescriptiveLinkKey?.ToString(CultureInfo.InvariantCulture))
                .Append(" values=").Append(string.Join(";", message.MessageXmlValues.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Key + "=" + v.Value))).Append('\n');
            if (message.Notification is not { } n)
            {
                continue;
            }

            text.Append("notification ").Append(n.SubscriptionId).Append(" previous=").Append(n.PreviousWatermark)
                .Append(" more=").Append(n.MoreEventsSpecified ? (n.MoreEvents ? "true" : "false") : "absent").Append('\n');
            foreach (var e in n.Events)
            {
                if (e.Kind == EventKind.Unknown)
                {
                    text.Append("  Unknown element=").Append(e.ElementName).Append(" watermark=").Append(e.Watermark).Append('\n');
                    continue;
                }

                text.Append("  ").Append(e.Kind).Append(" watermark=").Append(e.Watermark)
                    .Append(" time=").Append(e.TimeStamp?.ToString("O", CultureInfo.InvariantCulture))
                    .Append(" id=").Append(Describe(e.ObjectId)).Append(" parent=").Append(Describe(e.ParentFolderId))
                    .Append(" old=").Append(Describe(e.OldObjectId)).Append(" oldParent=").Append(Describe(e.OldParentFolderId))
                    .Append(" unread=").Append(e.UnreadCount?.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string? Describe(ObjectId? id) => id is { } value ? $"{value.Kind}:{value.Id}:{value.ChangeKey}" : null;

    private static string ObjectId(XElement e, string? kind = null)
    {
        var id = e.Attribute("Id")?.Value.Trim(Ws);
        Check(!string.IsNullOrEmpty(id));
        var changeKey = e.Attribute("ChangeKey")?.Value.Trim(Ws);
        kind ??= e.Name.LocalName.Contains("Folder", StringComparison.Ordinal) ? "Folder" : "Item";
        return $"{kind}:{id}:{(string.IsNullOrEmpty(changeKey) ? null : changeKey)}";
    }

    private static string DateTime(XElement e)
    {
        var value = TextOf(e).Trim(Ws);
        try
        {
            var zoned = value.EndsWith('Z') || (value.Length > 6 && value[^6] is '+' or '-' && value[^3] == ':');
            var parsed = zoned
                ? XmlConvert.ToDateTimeOffset(value)
                : new DateTimeOffset(XmlConvert.ToDateTime(value, XmlDateTimeSerializationMode.Unspecified), TimeSpan.Zero);
            return parsed.ToString("O", CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            return Refuse<string>();
        }
    }

    private static string? Int(XElement e) =>
        int.TryParse(TextOf(e).AsSpan().Trim(Ws), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value.ToString(CultureInfo.InvariantCulture)
            : Refuse<string>();

    private static string Id(XElement e)
    {
        var value = TextOf(e).Trim(Ws);
        Check(value.Length > 0);
        return value;
    }

    /// <summary>The value of a text-only element: child elements are refused.</summary>
    private static string TextOf(XElement e)
    {
        Check(!e.HasElements);
        return string.Concat(e.Nodes().OfType<XText>().Select(t => t.Value));
    }

    /// <summary>At most one child named <paramref name="localName"/>, and it must be in an EWS namespace.</summary>
    private static XElement? Optional(XElement parent, string localName)
    {
        var found = Structure(parent, localName);
        Check(found.Count <= 1);
        return found.Count == 1 ? found[0] : null;
    }

    private static List<XElement> Structure(XElement parent, string localName)
    {
        var found = parent.Elements().Where(e => e.Name.LocalName == localName).ToList();
        Check(found.All(IsEws));
        return found;
    }

    private static XElement Single(IEnumerable<XElement> elements)
    {
        var list = elements.Take(2).ToList();
        Check(list.Count == 1);
        return list[0];
    }

    private static void ElementOnly(XElement e) => Check(!e.Nodes().OfType<XText>().Any());

    private static bool IsEws(XElement e) => e.Name.NamespaceName is M or T;

    private static int Depth(XElement e)
    {
        var depth = 0;
        for (var p = e.Parent; p is not null; p = p.Parent)
        {
            depth++;
        }

        return depth;
    }

    private static void Check(bool condition)
    {
        if (!condition)
        {
            Refuse();
        }
    }

    private static void Refuse() => throw new RefusedException();

    private static TResult Refuse<TResult>() => throw new RefusedException();

    private sealed class RefusedException : Exception;
}
