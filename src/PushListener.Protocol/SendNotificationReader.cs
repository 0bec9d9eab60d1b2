using System.Globalization;
using System.Xml;

namespace PushListener.Protocol;

/// <summary>
/// Reads a SOAP 1.1 or 1.2 <c>SendNotification</c> envelope in one forward pass. Tolerant where newer senders differ
/// (prefixes, extra elements and attributes, messages- or types-namespace content, error pushes without a notification),
/// strict where a value is unusable. Refuses DTDs, oversized and over-deep documents cheaply.
/// </summary>
public static class SendNotificationReader
{
    /// <summary>Reads a request body. Throws <see cref="PushRequestException"/> with a sender-safe reason on bad input.</summary>
    public static PushRequest Read(Stream body, PushReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        options ??= PushReaderOptions.Default;
        try
        {
            using var reader = XmlReader.Create(body, options.ReaderSettings);
            return new Parser(reader, options).ReadEnvelope();
        }
        catch (XmlException ex)
        {
            throw new PushRequestException(DescribeXmlError(ex), FaultCode.Sender, ex);
        }
    }

    /// <summary>Reads a request body held in memory.</summary>
    public static PushRequest Read(ReadOnlyMemory<byte> body, PushReaderOptions? options = null)
    {
        using var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        return Read(stream, options);
    }

    internal static XmlReaderSettings CreateSettings(PushReaderOptions options) => new()
    {
        // No DTDs, no resolver: entity expansion and external entities are impossible, not merely limited.
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = options.MaxCharacters,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = false,
    };

    // XmlException messages can quote element names from the body; say what kind of problem it was and where, nothing more.
    private static string DescribeXmlError(XmlException ex)
    {
        if (ex.Message.Contains("DTD", StringComparison.Ordinal))
        {
            return "Document type declarations (DTDs) are not accepted.";
        }

        if (ex.Message.Contains("MaxCharactersInDocument", StringComparison.Ordinal))
        {
            return "The document exceeds the size limit.";
        }

        return ex.LineNumber > 0
            ? string.Create(CultureInfo.InvariantCulture, $"The body is not well-formed XML (line {ex.LineNumber}, position {ex.LinePosition}).")
            : "The body is not well-formed XML.";
    }

    private sealed class Parser(XmlReader reader, PushReaderOptions options)
    {
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
            IReadOnlyList<NotificationMessage>? messages = null;
            if (EnterChildren())
            {
                while (reader.NodeType == XmlNodeType.Element)
                {
                    if (reader.NamespaceURI == soapNs && reader.LocalName == "Header" && messages is null)
                    {
                        serverVersion = ReadHeader();
                    }
                    else if (reader.NamespaceURI == soapNs && reader.LocalName == "Body" && messages is null)
                    {
                        messages = ReadBody();
                    }
                    else
                    {
                        Skip();
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

        private string? ReadHeader()
        {
            string? serverVersion = null;
            if (EnterChildren())
            {
                while (reader.NodeType == XmlNodeType.Element)
                {
                    // One sender puts RequestServerVersion in the messages namespace.
                    if (reader.LocalName == "RequestServerVersion" && IsExchange())
                    {
                        serverVersion = reader.GetAttribute("Version");
                    }

                    Skip();
                    MoveToElementOrEnd();
                }

                reader.Read();
            }

            return serverVersion;
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

            List<NotificationMessage>? messages = null;
            if (EnterChildren())
            {
                while (reader.NodeType == XmlNodeType.Element)
                {
                    if (reader.LocalName == "ResponseMessages" && IsExchange())
                    {
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

            // Anything after SendNotification in the body is tolerated and skipped.
            MoveToElementOrEnd();
            while (reader.NodeType == XmlNodeType.Element)
            {
                Skip();
                MoveToElementOrEnd();
            }

            reader.Read();
            return messages;
        }

        private List<NotificationMessage> ReadResponseMessages()
        {
            var messages = new List<NotificationMessage>(1);
            if (EnterChildren())
            {
                while (reader.NodeType == XmlNodeType.Element)
                {
                    if (reader.LocalName == "SendNotificationResponseMessage" && IsExchange())
                    {
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
            var responseClass = reader.GetAttribute("ResponseClass") switch
            {
                null or "Success" => ResponseClass.Success,
                "Warning" => ResponseClass.Warning,
                "Error" => ResponseClass.Error,
                _ => throw Fault("A SendNotificationResponseMessage has a ResponseClass other than Success, Warning or Error."),
            };

            string? responseCode = null;
            string? messageText = null;
            int? linkKey = null;
            Dictionary<string, string>? values = null;
            Notification? notification = null;
            if (EnterChildren())
            {
                while (reader.NodeType == XmlNodeType.Element)
                {
                    if (!IsExchange())
                    {
                        Skip();
                    }
                    else
                    {
                        switch (reader.LocalName)
                        {
                            case "ResponseCode":
                                responseCode = ReadText();
                                break;
                            case "MessageText":
                                messageText = ReadText();
                                break;
                            case "DescriptiveLinkKey":
                                linkKey = ReadInt("DescriptiveLinkKey");
                                break;
                            case "MessageXml":
                                values = ReadMessageXml();
                                break;
                            case "Notification":
                                notification = ReadNotification();
                                break;
                            default:
                                Skip();
                                break;
                        }
                    }

                    MoveToElementOrEnd();
                }

                reader.Read();
            }

            return new NotificationMessage(responseClass, responseCode ?? "NoError", messageText, linkKey, values, notification);
        }

        private Dictionary<string, string>? ReadMessageXml()
        {
            Dictionary<string, string>? values = null;
            if (EnterChildren())
            {
                while (reader.NodeType == XmlNodeType.Element)
                {
                    if (reader.LocalName == "Value" && reader.GetAttribute("Name") is { } name)
                    {
                        values ??= new Dictionary<string, string>(StringComparer.Ordinal);
                        values[name] = ReadText();
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
            var moreEvents = false;
            var events = new List<NotificationEvent>();
            if (EnterChildren())
            {
                while (reader.NodeType == XmlNodeType.Element)
                {
                    if (!IsExchange())
                    {
                        Skip();
                    }
                    else
                    {
                        switch (reader.LocalName)
                        {
                            case "SubscriptionId":
                                subscriptionId = ReadText();
                                break;
                            case "PreviousWatermark":
                                previousWatermark = ReadText();
                                break;
                            case "MoreEvents":
                                moreEvents = ReadBoolean("MoreEvents");
                                break;
                            case "CopiedEvent":
                                events.Add(ReadEvent(EventKind.Copied));
                                break;
                            case "CreatedEvent":
                                events.Add(ReadEvent(EventKind.Created));
                                break;
                            case "DeletedEvent":
                                events.Add(ReadEvent(EventKind.Deleted));
                                break;
                            case "ModifiedEvent":
                                events.Add(ReadEvent(EventKind.Modified));
                                break;
                            case "MovedEvent":
                                events.Add(ReadEvent(EventKind.Moved));
                                break;
                            case "NewMailEvent":
                                events.Add(ReadEvent(EventKind.NewMail));
                                break;
                            case "StatusEvent":
                                events.Add(ReadEvent(EventKind.Status));
                                break;
                            case "FreeBusyChangedEvent":
                                events.Add(ReadEvent(EventKind.FreeBusyChanged));
                                break;
                            default:
                                Skip();
                                break;
                        }
                    }

                    MoveToElementOrEnd();
                }

                reader.Read();
            }

            if (string.IsNullOrEmpty(subscriptionId))
            {
                throw Fault("A Notification has no SubscriptionId.");
            }

            return new Notification(subscriptionId, previousWatermark, moreEvents, events);
        }

        private NotificationEvent ReadEvent(EventKind kind)
        {
            if (++_eventCount > options.MaxEvents)
            {
                throw Fault(string.Create(CultureInfo.InvariantCulture, $"The request holds more than {options.MaxEvents} events."));
            }

            string? watermark = null;
            DateTimeOffset? timeStamp = null;
            ObjectId? objectId = null, parentFolderId = null, oldObjectId = null, oldParentFolderId = null;
            int? unreadCount = null;
            if (EnterChildren())
            {
                while (reader.NodeType == XmlNodeType.Element)
                {
                    if (!IsExchange())
                    {
                        Skip();
                    }
                    else
                    {
                        switch (reader.LocalName)
                        {
                            case "Watermark":
                                watermark = ReadText();
                                break;
                            case "TimeStamp":
                                timeStamp = ReadDateTime();
                                break;
                            case "ItemId":
                                objectId = ReadId(ObjectIdKind.Item);
                                break;
                            case "FolderId":
                                objectId = ReadId(ObjectIdKind.Folder);
                                break;
                            case "ParentFolderId":
                                parentFolderId = ReadId(ObjectIdKind.Folder);
                                break;
                            case "OldItemId":
                                oldObjectId = ReadId(ObjectIdKind.Item);
                                break;
                            case "OldFolderId":
                                oldObjectId = ReadId(ObjectIdKind.Folder);
                                break;
                            case "OldParentFolderId":
                                oldParentFolderId = ReadId(ObjectIdKind.Folder);
                                break;
                            case "UnreadCount":
                                unreadCount = ReadInt("UnreadCount");
                                break;
                            default:
                                Skip();
                                break;
                        }
                    }

                    MoveToElementOrEnd();
                }

                reader.Read();
            }

            return new NotificationEvent(kind, watermark, timeStamp, objectId, parentFolderId, oldObjectId, oldParentFolderId, unreadCount);
        }

        private ObjectId ReadId(ObjectIdKind kind)
        {
            var name = reader.LocalName;
            var id = reader.GetAttribute("Id");
            if (string.IsNullOrEmpty(id))
            {
                throw Fault("An " + name + " element has no Id attribute.");
            }

            var changeKey = reader.GetAttribute("ChangeKey");
            Skip();
            return new ObjectId(kind, id, changeKey);
        }

        private DateTimeOffset ReadDateTime()
        {
            var text = ReadText().Trim();
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
            return int.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Fault(element + " is not a valid xs:int.");
        }

        private bool ReadBoolean(string element)
        {
            var text = ReadText().AsSpan().Trim();
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

        private bool IsExchange() => reader.NamespaceURI is XmlNames.Types or XmlNames.Messages;

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

        private void MoveToElementOrEnd()
        {
            while (reader.NodeType is not (XmlNodeType.Element or XmlNodeType.EndElement))
            {
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
}
