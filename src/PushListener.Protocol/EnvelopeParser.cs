using System.Globalization;
using System.Text;
using System.Xml;

namespace PushListener.Protocol;

/// <summary>
/// One forward pass over a SendNotification envelope, applying the protocol rule of docs/architecture.md: each element
/// is understood, tolerated (an extension that carries no notification content: unknown attributes anywhere, unknown
/// elements in positions the rule names), or refused with a Sender fault. Singletons appear at most once; an element
/// with the local name of notification structure must be in an EWS namespace. Fault reasons never quote the body.
/// </summary>
internal sealed class EnvelopeParser(XmlReader reader, PushReaderOptions options)
{
    // XML whitespace (XML 1.0 production S); string.Trim() would also strip Unicode spaces that are part of a value.
    private static readonly char[] XmlWhitespace = [' ', '\t', '\r', '\n'];

    private static readonly XmlWriterSettings CaptureSettings = new()
    {
        ConformanceLevel = ConformanceLevel.Fragment,
        OmitXmlDeclaration = true,
        Indent = false,
        NamespaceHandling = NamespaceHandling.OmitDuplicates,
    };

    private int _eventCount;

    public PushRequest ReadEnvelope()
    {
        if (reader.MoveToContent() != XmlNodeType.Element)
        {
            throw Fault("The body holds no XML element.");
        }

        if (reader.LocalName != "Envelope")
        {
            throw Fault("The root element is not a SOAP Envelope.");
        }

        var version = reader.NamespaceURI switch
        {
            XmlNames.Soap11Envelope => SoapVersion.Soap11,
            XmlNames.Soap12Envelope => SoapVersion.Soap12,
            _ => throw new PushRequestException("The Envelope is in neither the SOAP 1.1 nor the SOAP 1.2 namespace.", FaultCode.VersionMismatch),
        };
        var soapNs = reader.NamespaceURI;

        string? serverVersion = null;
        var headerSeen = false;
        IReadOnlyList<NotificationMessage>? messages = null;
        if (EnterChildren())
        {
            while (reader.NodeType == XmlNodeType.Element)
            {
                var isSoap = reader.NamespaceURI == soapNs;
                if (isSoap && reader.LocalName == "Header")
                {
                    if (headerSeen)
                    {
                        throw Fault("The Envelope holds more than one Header.");
                    }

                    if (messages is not null)
                    {
                        throw Fault("The Header follows the Body; it must come first.");
                    }

                    headerSeen = true;
                    serverVersion = ReadHeader(version, soapNs);
                }
                else if (isSoap && reader.LocalName == "Body")
                {
                    if (messages is not null)
                    {
                        throw Fault("The Envelope holds more than one Body.");
                    }

                    messages = ReadBody();
                }
                else
                {
                    throw Fault("The Envelope holds an element other than the SOAP Header and Body.");
                }

                MoveToElementOrEnd();
            }

            reader.Read();
        }

        if (messages is null)
        {
            throw Fault("The Envelope has no Body.");
        }

        // Read to the end so that trailing garbage is reported as malformed rather than ignored.
        while (reader.Read())
        {
            if (reader.NodeType is XmlNodeType.Element or XmlNodeType.Text or XmlNodeType.CDATA)
            {
                throw Fault("Content follows the Envelope.");
            }
        }

        return new PushRequest(version, serverVersion, messages);
    }

    /// <summary>
    /// Header blocks: RequestServerVersion (EWS namespace) is understood; any other block is ignored unless it is addressed
    /// to this node with mustUnderstand, which is a MustUnderstand fault naming every such block.
    /// </summary>
    private string? ReadHeader(SoapVersion version, string soapNs)
    {
        string? serverVersion = null;
        var serverVersionSeen = false;
        List<XmlQualifiedName>? notUnderstood = null;
        if (EnterChildren())
        {
            while (reader.NodeType == XmlNodeType.Element)
            {
                var mustUnderstand = ReadMustUnderstand(version, soapNs);
                if (reader.LocalName == "RequestServerVersion" && IsExchange())
                {
                    if (serverVersionSeen)
                    {
                        throw Duplicate("Header", "RequestServerVersion");
                    }

                    serverVersionSeen = true;
                    serverVersion = TrimToNull(reader.GetAttribute("Version"));
                }
                else if (mustUnderstand && IsAddressedToThisNode(version, soapNs))
                {
                    (notUnderstood ??= []).Add(new XmlQualifiedName(reader.LocalName, reader.NamespaceURI));
                }

                Skip();
                MoveToElementOrEnd();
            }

            reader.Read();
        }

        if (notUnderstood is not null)
        {
            throw new PushRequestException(
                notUnderstood.Count == 1
                    ? "A header block marked mustUnderstand is not understood by this listener."
                    : string.Create(CultureInfo.InvariantCulture, $"{notUnderstood.Count} header blocks marked mustUnderstand are not understood by this listener."),
                notUnderstood);
        }

        return serverVersion;
    }

    private bool ReadMustUnderstand(SoapVersion version, string soapNs)
    {
        var value = reader.GetAttribute("mustUnderstand", soapNs);
        if (value is null)
        {
            return false;
        }

        // SOAP 1.1 defines "0" and "1"; SOAP 1.2 is xs:boolean. Both are read as xs:boolean, anything else is refused.
        return value.AsSpan().Trim(XmlWhitespace) switch
        {
            "1" or "true" => true,
            "0" or "false" => false,
            _ => throw Fault(version == SoapVersion.Soap11
                ? "A header block's mustUnderstand attribute is neither 0 nor 1."
                : "A header block's mustUnderstand attribute is not an xs:boolean."),
        };
    }

    private bool IsAddressedToThisNode(SoapVersion version, string soapNs)
    {
        if (version == SoapVersion.Soap11)
        {
            var actor = reader.GetAttribute("actor", soapNs)?.Trim(XmlWhitespace);
            return string.IsNullOrEmpty(actor) || actor == XmlNames.Soap11ActorNext;
        }

        // SOAP 1.2: no role means the ultimate receiver; "none" and other roles are not this node's.
        var role = reader.GetAttribute("role", soapNs)?.Trim(XmlWhitespace);
        return string.IsNullOrEmpty(role) || role is XmlNames.Soap12RoleNext or XmlNames.Soap12RoleUltimateReceiver;
    }

    private List<NotificationMessage> ReadBody()
    {
        if (!EnterChildren())
        {
            throw Fault("The SOAP Body is empty; expected SendNotification.");
        }

        if (reader.LocalName != "SendNotification" || reader.NamespaceURI != XmlNames.Messages)
        {
            throw Fault("The SOAP Body does not hold a SendNotification element in namespace " + XmlNames.Messages + ".");
        }

        var messages = ReadSendNotification();
        MoveToElementOrEnd();
        if (reader.NodeType == XmlNodeType.Element)
        {
            throw Fault("The SOAP Body holds more than one element; SendNotification must be alone.");
        }

        reader.Read();
        return messages;
    }

    private List<NotificationMessage> ReadSendNotification()
    {
        List<NotificationMessage>? messages = null;
        if (EnterChildren())
        {
            while (reader.NodeType == XmlNodeType.Element)
            {
                if (reader.LocalName == "ResponseMessages")
                {
                    RequireExchange("ResponseMessages");
                    if (messages is not null)
                    {
                        throw Duplicate("SendNotification", "ResponseMessages");
                    }

                    messages = ReadResponseMessages();
                }
                else
                {
                    Skip();
                }

                MoveToElementOrEnd();
            }

            reader.Read();
        }

        if (messages is null || messages.Count == 0)
        {
            throw Fault("SendNotification holds no SendNotificationResponseMessage.");
        }

        return messages;
    }

    private List<NotificationMessage> ReadResponseMessages()
    {
        var messages = new List<NotificationMessage>(1);
        if (EnterChildren())
        {
            while (reader.NodeType == XmlNodeType.Element)
            {
                if (reader.LocalName == "SendNotificationResponseMessage")
                {
                    RequireExchange("SendNotificationResponseMessage");
                    if (messages.Count == options.MaxMessages)
                    {
                        throw Fault(string.Create(CultureInfo.InvariantCulture, $"The request holds more than {options.MaxMessages} SendNotificationResponseMessage elements."));
                    }

                    messages.Add(ReadMessage());
                }
                else
                {
                    Skip();
                }

                MoveToElementOrEnd();
            }

            reader.Read();
        }

        return messages;
    }

    private NotificationMessage ReadMessage()
    {
        var responseClass = reader.GetAttribute("ResponseClass")?.Trim(XmlWhitespace) switch
        {
            null => throw Fault("A SendNotificationResponseMessage has no ResponseClass."),
            "Success" => ResponseClass.Success,
            "Warning" => ResponseClass.Warning,
            "Error" => ResponseClass.Error,
            _ => throw Fault("A SendNotificationResponseMessage has a ResponseClass other than Success, Warning or Error."),
        };

        string? responseCode = null;
        string? messageText = null;
        int? linkKey = null;
        Dictionary<string, string>? values = null;
        var valuesSeen = false;
        Notification? notification = null;
        if (EnterChildren())
        {
            while (reader.NodeType == XmlNodeType.Element)
            {
                var name = reader.LocalName;
                if (name is "ResponseCode" or "MessageText" or "DescriptiveLinkKey" or "MessageXml" or "Notification")
                {
                    RequireExchange(name);
                }

                switch (name)
                {
                    case "ResponseCode":
                        RequireSingle(responseCode is null, "SendNotificationResponseMessage", "ResponseCode");
                        responseCode = ReadText().Trim(XmlWhitespace);
                        break;
                    case "MessageText":
                        RequireSingle(messageText is null, "SendNotificationResponseMessage", "MessageText");
                        messageText = ReadText();
                        break;
                    case "DescriptiveLinkKey":
                        RequireSingle(linkKey is null, "SendNotificationResponseMessage", "DescriptiveLinkKey");
                        linkKey = ReadInt("DescriptiveLinkKey");
                        break;
                    case "MessageXml":
                        RequireSingle(!valuesSeen, "SendNotificationResponseMessage", "MessageXml");
                        valuesSeen = true;
                        values = ReadMessageXml();
                        break;
                    case "Notification":
                        RequireSingle(notification is null, "SendNotificationResponseMessage", "Notification");
                        notification = ReadNotification();
                        break;
                    default:
                        Skip();
                        break;
                }

                MoveToElementOrEnd();
            }

            reader.Read();
        }

        // A Success message exists to carry a notification; one without is empty, not a heartbeat (heartbeats are StatusEvents).
        // Warning and Error messages carry their content in ResponseCode and MessageText: error pushes have no Notification.
        if (responseClass == ResponseClass.Success && notification is null)
        {
            throw Fault("A Success SendNotificationResponseMessage has no Notification.");
        }

        return new NotificationMessage(responseClass, string.IsNullOrEmpty(responseCode) ? "NoError" : responseCode, messageText, linkKey, values, notification);
    }

    /// <summary>MessageXml is free-form (xs:any): its EWS <c>Value Name="..."</c> elements are read, everything else tolerated.</summary>
    private Dictionary<string, string>? ReadMessageXml()
    {
        Dictionary<string, string>? values = null;
        if (EnterChildren())
        {
            while (reader.NodeType == XmlNodeType.Element)
            {
                if (reader.LocalName == "Value" && IsExchange() && reader.GetAttribute("Name") is { } name)
                {
                    values ??= new Dictionary<string, string>(StringComparer.Ordinal);
                    if (!values.TryAdd(name, ReadText().Trim(XmlWhitespace)))
                    {
                        throw Fault("MessageXml holds two Value elements with the same Name.");
                    }
                }
                else
                {
                    Skip();
                }

                MoveToElementOrEnd();
            }

            reader.Read();
        }

        return values;
    }

    private Notification ReadNotification()
    {
        string? subscriptionId = null;
        string? previousWatermark = null;
        bool? moreEvents = null;
        var events = new List<NotificationEvent>();
        if (EnterChildren())
        {
            while (reader.NodeType == XmlNodeType.Element)
            {
                var name = reader.LocalName;
                switch (name)
                {
                    case "SubscriptionId":
                        RequireExchange(name);
                        RequireSingle(subscriptionId is null, "Notification", name);
                        subscriptionId = ReadIdText(name);
                        break;
                    case "PreviousWatermark":
                        RequireExchange(name);
                        RequireSingle(previousWatermark is null, "Notification", name);
                        previousWatermark = ReadIdText(name);
                        break;
                    case "MoreEvents":
                        RequireExchange(name);
                        RequireSingle(moreEvents is null, "Notification", name);
                        moreEvents = ReadBoolean(name);
                        break;
                    default:
                        if (KnownEventKind(name) is { } kind)
                        {
                            RequireExchange(name);
                            events.Add(ReadEvent(kind, name));
                        }
                        else if (IsExchange() && name.EndsWith("Event", StringComparison.Ordinal))
                        {
                            events.Add(ReadUnknownEvent());
                        }
                        else
                        {
                            Skip();
                        }

                        break;
                }

                MoveToElementOrEnd();
            }

            reader.Read();
        }

        if (subscriptionId is null)
        {
            throw Fault("A Notification has no SubscriptionId.");
        }

        if (events.Count == 0)
        {
            throw Fault("A Notification holds no events.");
        }

        return new Notification(subscriptionId, previousWatermark, moreEvents, events);
    }

    private static EventKind? KnownEventKind(string localName) => localName switch
    {
        "CopiedEvent" => EventKind.Copied,
        "CreatedEvent" => EventKind.Created,
        "DeletedEvent" => EventKind.Deleted,
        "ModifiedEvent" => EventKind.Modified,
        "MovedEvent" => EventKind.Moved,
        "NewMailEvent" => EventKind.NewMail,
        "StatusEvent" => EventKind.Status,
        "FreeBusyChangedEvent" => EventKind.FreeBusyChanged,
        _ => null,
    };

    private void CountEvent()
    {
        if (++_eventCount > options.MaxEvents)
        {
            throw Fault(string.Create(CultureInfo.InvariantCulture, $"The request holds more than {options.MaxEvents} events."));
        }
    }

    private NotificationEvent ReadEvent(EventKind kind, string elementName)
    {
        CountEvent();
        string? watermark = null;
        DateTimeOffset? timeStamp = null;
        ObjectId? objectId = null, parentFolderId = null, oldObjectId = null, oldParentFolderId = null;
        int? unreadCount = null;
        if (EnterChildren())
        {
            while (reader.NodeType == XmlNodeType.Element)
            {
                var name = reader.LocalName;
                switch (name)
                {
                    case "Watermark":
                        RequireExchange(name);
                        RequireSingle(watermark is null, elementName, name);
                        watermark = ReadIdText(name);
                        break;
                    case "TimeStamp":
                        RequireExchange(name);
                        RequireSingle(timeStamp is null, elementName, name);
                        timeStamp = ReadDateTime();
                        break;
                    case "ItemId" or "FolderId":
                        RequireExchange(name);
                        RequireSingle(objectId is null, elementName, "ItemId or FolderId");
                        objectId = ReadId(name == "ItemId" ? ObjectIdKind.Item : ObjectIdKind.Folder);
                        break;
                    case "ParentFolderId":
                        RequireExchange(name);
                        RequireSingle(parentFolderId is null, elementName, name);
                        parentFolderId = ReadId(ObjectIdKind.Folder);
                        break;
                    case "OldItemId" or "OldFolderId":
                        RequireExchange(name);
                        RequireSingle(oldObjectId is null, elementName, "OldItemId or OldFolderId");
                        oldObjectId = ReadId(name == "OldItemId" ? ObjectIdKind.Item : ObjectIdKind.Folder);
                        break;
                    case "OldParentFolderId":
                        RequireExchange(name);
                        RequireSingle(oldParentFolderId is null, elementName, name);
                        oldParentFolderId = ReadId(ObjectIdKind.Folder);
                        break;
                    case "UnreadCount":
                        RequireExchange(name);
                        RequireSingle(unreadCount is null, elementName, name);
                        unreadCount = ReadInt(name);
                        break;
                    default:
                        Skip();
                        break;
                }

                MoveToElementOrEnd();
            }

            reader.Read();
        }

        // The schema's required parts (BaseObjectChangedEventType, MovedCopiedEventType): without them the event names nothing.
        if (kind != EventKind.Status)
        {
            Require(timeStamp is not null, elementName, "TimeStamp");
            Require(objectId is not null, elementName, "ItemId or FolderId");
            Require(parentFolderId is not null, elementName, "ParentFolderId");
            if (kind is EventKind.Moved or EventKind.Copied)
            {
                Require(oldObjectId is not null, elementName, "OldItemId or OldFolderId");
                Require(oldParentFolderId is not null, elementName, "OldParentFolderId");
            }
        }

        return new NotificationEvent(kind, watermark, timeStamp, objectId, parentFolderId, oldObjectId, oldParentFolderId, unreadCount);
    }

    /// <summary>
    /// An EWS element ending in "Event" that this version does not know: copied whole (depth-checked) so that nothing is
    /// lost, with its Watermark child read so that the subscription's chain of watermarks stays whole.
    /// </summary>
    private NotificationEvent ReadUnknownEvent()
    {
        CountEvent();
        CheckDepth();
        var name = reader.LocalName;
        var ns = reader.NamespaceURI;
        var xml = new StringBuilder(256);
        string? watermark;
        using (var writer = XmlWriter.Create(xml, CaptureSettings))
        {
            watermark = CopyUnknownEvent(writer);
        }

        reader.Read();
        return NotificationEvent.Unknown(name, ns, xml.ToString(), watermark);
    }

    /// <summary>Copies the element the reader is on to <paramref name="writer"/>, leaving the reader on its end tag; returns its Watermark child.</summary>
    private string? CopyUnknownEvent(XmlWriter writer)
    {
        var depth = reader.Depth;
        writer.WriteStartElement(reader.Prefix, reader.LocalName, reader.NamespaceURI);

        // The declarations in scope go on the copy, so that it stands alone (QName values included).
        if (reader is IXmlNamespaceResolver resolver)
        {
            foreach (var (prefix, uri) in resolver.GetNamespacesInScope(XmlNamespaceScope.ExcludeXml))
            {
                if (prefix != reader.Prefix)
                {
                    WriteDeclaration(writer, prefix, uri);
                }
            }
        }

        CopyAttributes(writer, declarations: false);
        if (reader.IsEmptyElement)
        {
            writer.WriteEndElement();
            return null;
        }

        string? watermark = null;
        StringBuilder? watermarkText = null;
        while (reader.Read())
        {
            CheckDepth();
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (watermarkText is not null)
                    {
                        throw Fault("Watermark must hold text, not elements.");
                    }

                    var isWatermark = reader.Depth == depth + 1 && reader.LocalName == "Watermark" && IsExchange();
                    if (isWatermark)
                    {
                        RequireSingle(watermark is null, "event", "Watermark");
                    }

                    writer.WriteStartElement(reader.Prefix, reader.LocalName, reader.NamespaceURI);
                    CopyAttributes(writer, declarations: true);
                    if (reader.IsEmptyElement)
                    {
                        writer.WriteEndElement();
                        if (isWatermark)
                        {
                            throw Fault("Watermark is empty.");
                        }
                    }
                    else if (isWatermark)
                    {
                        watermarkText = new StringBuilder();
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace:
                    watermarkText?.Append(reader.Value);
                    writer.WriteString(reader.Value);
                    break;
                case XmlNodeType.CDATA:
                    watermarkText?.Append(reader.Value);
                    writer.WriteCData(reader.Value);
                    break;
                case XmlNodeType.EndElement:
                    writer.WriteFullEndElement();
                    if (reader.Depth == depth)
                    {
                        return watermark;
                    }

                    if (watermarkText is not null)
                    {
                        var value = watermarkText.ToString().Trim(XmlWhitespace);
                        watermark = value.Length > 0 ? value : throw Fault("Watermark is empty.");
                        watermarkText = null;
                    }

                    break;
            }
        }

        throw Fault("The document ends early.");
    }

    private static void WriteDeclaration(XmlWriter writer, string prefix, string uri)
    {
        if (prefix.Length == 0)
        {
            writer.WriteAttributeString("xmlns", null, uri);
        }
        else
        {
            writer.WriteAttributeString("xmlns", prefix, null, uri);
        }
    }

    private void CopyAttributes(XmlWriter writer, bool declarations)
    {
        if (!reader.MoveToFirstAttribute())
        {
            return;
        }

        do
        {
            if (reader.NamespaceURI == "http://www.w3.org/2000/xmlns/")
            {
                if (declarations)
                {
                    WriteDeclaration(writer, reader.Prefix.Length == 0 ? string.Empty : reader.LocalName, reader.Value);
                }
            }
            else
            {
                writer.WriteAttributeString(reader.Prefix, reader.LocalName, reader.NamespaceURI, reader.Value);
            }
        }
        while (reader.MoveToNextAttribute());

        reader.MoveToElement();
    }

    private ObjectId ReadId(ObjectIdKind kind)
    {
        var name = reader.LocalName;
        var id = reader.GetAttribute("Id")?.Trim(XmlWhitespace);
        if (string.IsNullOrEmpty(id))
        {
            throw Fault("An " + name + " element has no Id attribute.");
        }

        var changeKey = TrimToNull(reader.GetAttribute("ChangeKey"));
        Skip();
        return new ObjectId(kind, id, changeKey);
    }

    /// <summary>SubscriptionId and watermarks: base64 or GUIDs, so surrounding whitespace is layout, not value; empty is refused.</summary>
    private string ReadIdText(string element)
    {
        var text = ReadText().Trim(XmlWhitespace);
        return text.Length > 0 ? text : throw Fault(element + " is empty.");
    }

    private DateTimeOffset ReadDateTime()
    {
        var text = ReadText().Trim(XmlWhitespace);
        try
        {
            // xs:dateTime without a zone would otherwise take this machine's offset; Exchange means UTC.
            return HasZone(text)
                ? XmlConvert.ToDateTimeOffset(text)
                : new DateTimeOffset(XmlConvert.ToDateTime(text, XmlDateTimeSerializationMode.Unspecified), TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw Fault("An event's TimeStamp is not a valid xs:dateTime.");
        }
    }

    private static bool HasZone(string text) =>
        text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private int ReadInt(string element)
    {
        var text = ReadText();
        return int.TryParse(text.AsSpan().Trim(XmlWhitespace), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Fault(element + " is not a valid xs:int.");
    }

    private bool ReadBoolean(string element)
    {
        var text = ReadText().AsSpan().Trim(XmlWhitespace);
        return text switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw Fault(element + " is not a valid xs:boolean."),
        };
    }

    private string ReadText()
    {
        CheckDepth();
        var name = reader.LocalName;
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return string.Empty;
        }

        string? text = null;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    text = text is null ? reader.Value : text + reader.Value;
                    break;
                case XmlNodeType.EndElement:
                    reader.Read();
                    return text ?? string.Empty;
                case XmlNodeType.Element:
                    throw Fault(name + " must hold text, not elements.");
            }
        }

        throw Fault("The document ends early.");
    }

    private static string? TrimToNull(string? value)
    {
        var trimmed = value?.Trim(XmlWhitespace);
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    private bool IsExchange() => reader.NamespaceURI is XmlNames.Types or XmlNames.Messages;

    /// <summary>Notification structure must be in an EWS namespace: a look-alike elsewhere is refused, never skipped or half-read.</summary>
    private void RequireExchange(string element)
    {
        if (!IsExchange())
        {
            throw Fault("A " + element + " element is in a namespace other than the EWS messages and types namespaces.");
        }
    }

    private static void RequireSingle(bool first, string parent, string element)
    {
        if (!first)
        {
            throw Duplicate(parent, element);
        }
    }

    private static void Require(bool present, string parent, string element)
    {
        if (!present)
        {
            throw Fault("A " + parent + " has no " + element + ".");
        }
    }

    private static PushRequestException Duplicate(string parent, string element) =>
        Fault("A " + parent + " holds more than one " + element + ".");

    /// <summary>From a start tag, moves to its first child element; false (and past the element) when it has none.</summary>
    private bool EnterChildren()
    {
        CheckDepth();
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return false;
        }

        reader.Read();
        MoveToElementOrEnd();
        if (reader.NodeType == XmlNodeType.EndElement)
        {
            reader.Read();
            return false;
        }

        return true;
    }

    /// <summary>Moves to the next element or end tag. Text between structural elements is not part of any element's value: refused.</summary>
    private void MoveToElementOrEnd()
    {
        while (reader.NodeType is not (XmlNodeType.Element or XmlNodeType.EndElement))
        {
            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA)
            {
                throw Fault("Text appears where only elements are allowed.");
            }

            if (!reader.Read())
            {
                throw Fault("The document ends early.");
            }
        }
    }

    /// <summary>Skips the current element with a depth check, so that deep nesting in ignored content is refused too.</summary>
    private void Skip()
    {
        CheckDepth();
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }

        var depth = reader.Depth;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
            {
                reader.Read();
                return;
            }

            CheckDepth();
        }

        throw Fault("The document ends early.");
    }

    private void CheckDepth()
    {
        if (reader.Depth > options.MaxDepth)
        {
            throw Fault(string.Create(CultureInfo.InvariantCulture, $"Elements are nested deeper than {options.MaxDepth} levels."));
        }
    }

    private static PushRequestException Fault(string reason) => new(reason, FaultCode.Sender);
}
