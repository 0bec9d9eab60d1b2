using System.Xml;
using PushListener.Protocol;

namespace PushListener.Simulator.Sending;

/// <summary>What a listener's answer body says.</summary>
internal enum ReplyKind
{
    /// <summary>SubscriptionStatus OK.</summary>
    Ok,

    /// <summary>SubscriptionStatus Unsubscribe.</summary>
    Unsubscribe,

    /// <summary>A SOAP 1.1 or 1.2 Fault.</summary>
    Fault,

    /// <summary>Anything else: not XML, another body, or a status value other than the two legal ones.</summary>
    Invalid,
}

/// <summary>A parsed answer.</summary>
internal readonly record struct Reply(ReplyKind Kind, string? Detail);

/// <summary>Reads a listener's answer as strictly as the schema does: the status values are case-sensitive.</summary>
internal static class ReplyParser
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
    };

    public static Reply Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return new Reply(ReplyKind.Invalid, "empty body");
        }

        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, Settings);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "Envelope"
                || reader.NamespaceURI is not (XmlNames.Soap11Envelope or XmlNames.Soap12Envelope))
            {
                return new Reply(ReplyKind.Invalid, "not a SOAP envelope");
            }

            var soapNs = reader.NamespaceURI;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                if (reader.LocalName == "Fault" && reader.NamespaceURI == soapNs)
                {
                    return new Reply(ReplyKind.Fault, ReadFault(reader, soapNs));
                }

                if (reader.LocalName == "SubscriptionStatus" && reader.NamespaceURI == XmlNames.Messages)
                {
                    var status = reader.ReadElementContentAsString();
                    return status switch
                    {
                        "OK" => new Reply(ReplyKind.Ok, null),
                        "Unsubscribe" => new Reply(ReplyKind.Unsubscribe, null),
                        _ => new Reply(ReplyKind.Invalid, $"SubscriptionStatus '{status}' is neither OK nor Unsubscribe"),
                    };
                }
            }

            return new Reply(ReplyKind.Invalid, "no SubscriptionStatus in the answer");
        }
        catch (XmlException ex)
        {
            return new Reply(ReplyKind.Invalid, "answer is not well-formed XML: " + ex.Message);
        }
    }

    // SOAP 1.1: faultcode/faultstring; SOAP 1.2: Code/Value and Reason/Text.
    private static string ReadFault(XmlReader reader, string soapNs)
    {
        string? code = null;
        string? reason = null;
        var depth = reader.Depth;
        reader.Read();
        while (!reader.EOF && reader.Depth > depth && (code is null || reason is null))
        {
            // ReadElementContentAsString moves past the element itself, so only Read when nothing was taken.
            if (reader.NodeType == XmlNodeType.Element && code is null
                && (reader.LocalName == "faultcode" || (reader.LocalName == "Value" && reader.NamespaceURI == soapNs)))
            {
                code = reader.ReadElementContentAsString();
            }
            else if (reader.NodeType == XmlNodeType.Element && reason is null
                && (reader.LocalName == "faultstring" || (reader.LocalName == "Text" && reader.NamespaceURI == soapNs)))
            {
                reason = reader.ReadElementContentAsString();
            }
            else
            {
                reader.Read();
            }
        }

        return $"{code ?? "fault"}: {reason ?? "(no reason)"}";
    }
}
