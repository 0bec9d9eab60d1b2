using System.Text;
using System.Xml;

namespace PushListener.Protocol;

/// <summary>
/// Writes <c>SendNotificationResult</c> replies and SOAP faults. The four possible results are written once
/// and served as cached bytes: the reply costs no allocation on the hot path.
/// </summary>
public static class SendNotificationWriter
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private static readonly byte[][] Results =
    [
        Build(SoapVersion.Soap11, w => WriteResultBody(w, SubscriptionStatus.OK)),
        Build(SoapVersion.Soap11, w => WriteResultBody(w, SubscriptionStatus.Unsubscribe)),
        Build(SoapVersion.Soap12, w => WriteResultBody(w, SubscriptionStatus.OK)),
        Build(SoapVersion.Soap12, w => WriteResultBody(w, SubscriptionStatus.Unsubscribe)),
    ];

    /// <summary>The UTF-8 reply body carrying <paramref name="status"/>.</summary>
    public static ReadOnlyMemory<byte> Result(SoapVersion version, SubscriptionStatus status) =>
        Results[((version == SoapVersion.Soap12 ? 1 : 0) * 2) + (status == SubscriptionStatus.Unsubscribe ? 1 : 0)];

    /// <summary>A UTF-8 SOAP fault in <paramref name="version"/>. <paramref name="reason"/> must be safe to show the sender.</summary>
    public static byte[] Fault(SoapVersion version, FaultCode code, string reason) => Fault(version, code, reason, []);

    /// <summary>
    /// A UTF-8 SOAP fault in <paramref name="version"/>; for a SOAP 1.2 <see cref="FaultCode.MustUnderstand"/> fault the
    /// header carries one <c>NotUnderstood</c> block per name in <paramref name="notUnderstood"/> (SOAP 1.2 part 1, 5.4.8);
    /// a <see cref="FaultCode.VersionMismatch"/> fault of either version carries an <c>Upgrade</c> block listing the
    /// envelopes the listener takes (SOAP 1.2 part 1, 5.4.7 and appendix A).
    /// </summary>
    public static byte[] Fault(SoapVersion version, FaultCode code, string reason, IReadOnlyList<XmlQualifiedName> notUnderstood)
    {
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentNullException.ThrowIfNull(notUnderstood);
        Action<XmlWriter>? header = code switch
        {
            FaultCode.MustUnderstand when version == SoapVersion.Soap12 && notUnderstood.Count > 0 => w => WriteNotUnderstood(w, notUnderstood),
            FaultCode.VersionMismatch => w => WriteUpgrade(w, version),
            _ => null,
        };
        return Build(version, w => WriteFaultBody(w, version, code, reason), header);
    }

    private static byte[] Build(SoapVersion version, Action<XmlWriter> writeBody, Action<XmlWriter>? writeHeader = null)
    {
        var soapNs = XmlNames.EnvelopeNamespace(version);
        using var buffer = new MemoryStream(512);
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = Utf8NoBom, Indent = false }))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("s", "Envelope", soapNs);
            writer.WriteAttributeString("xmlns", "m", null, XmlNames.Messages);
            if (writeHeader is not null)
            {
                writer.WriteStartElement("s", "Header", soapNs);
                writeHeader(writer);
                writer.WriteEndElement();
            }

            writer.WriteStartElement("s", "Body", soapNs);
            writeBody(writer);
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    private static void WriteResultBody(XmlWriter writer, SubscriptionStatus status)
    {
        writer.WriteStartElement("m", "SendNotificationResult", XmlNames.Messages);
        // Case matters: the schema's enumeration is exactly "OK" and "Unsubscribe".
        writer.WriteElementString("m", "SubscriptionStatus", XmlNames.Messages, status == SubscriptionStatus.OK ? "OK" : "Unsubscribe");
        writer.WriteEndElement();
    }

    private static void WriteNotUnderstood(XmlWriter writer, IReadOnlyList<XmlQualifiedName> names)
    {
        for (var i = 0; i < names.Count; i++)
        {
            // The qname attribute is a QName: bind a prefix of its own on each block.
            writer.WriteStartElement("s", "NotUnderstood", XmlNames.Soap12Envelope);
            if (names[i].Namespace.Length == 0)
            {
                writer.WriteAttributeString("qname", names[i].Name);
            }
            else
            {
                writer.WriteAttributeString("xmlns", "h", null, names[i].Namespace);
                writer.WriteAttributeString("qname", "h:" + names[i].Name);
            }

            writer.WriteEndElement();
        }
    }

    /// <summary>
    /// The <c>Upgrade</c> block: always in the SOAP 1.2 namespace (a SOAP 1.1 fault carries it too, appendix A), one
    /// <c>SupportedEnvelope</c> per version, most preferred first. The fault's own version leads: it is the one the request's
    /// Content-Type chose, so the sender needs to change only its envelope.
    /// </summary>
    private static void WriteUpgrade(XmlWriter writer, SoapVersion version)
    {
        writer.WriteStartElement("up", "Upgrade", XmlNames.Soap12Envelope);
        WriteSupportedEnvelope(writer, XmlNames.EnvelopeNamespace(version));
        WriteSupportedEnvelope(writer, XmlNames.EnvelopeNamespace(version == SoapVersion.Soap11 ? SoapVersion.Soap12 : SoapVersion.Soap11));
        writer.WriteEndElement();
    }

    private static void WriteSupportedEnvelope(XmlWriter writer, string envelopeNamespace)
    {
        // The qname attribute is a QName: bind a prefix of its own for the envelope's namespace.
        writer.WriteStartElement("up", "SupportedEnvelope", XmlNames.Soap12Envelope);
        writer.WriteAttributeString("xmlns", "ns", null, envelopeNamespace);
        writer.WriteAttributeString("qname", "ns:Envelope");
        writer.WriteEndElement();
    }

    private static string CodeName(SoapVersion version, FaultCode code) => code switch
    {
        FaultCode.Sender => version == SoapVersion.Soap11 ? "s:Client" : "s:Sender",
        FaultCode.Receiver => version == SoapVersion.Soap11 ? "s:Server" : "s:Receiver",
        FaultCode.MustUnderstand => "s:MustUnderstand",
        _ => "s:VersionMismatch",
    };

    private static void WriteFaultBody(XmlWriter writer, SoapVersion version, FaultCode code, string reason)
    {
        var soapNs = XmlNames.EnvelopeNamespace(version);
        writer.WriteStartElement("s", "Fault", soapNs);
        if (version == SoapVersion.Soap11)
        {
            // SOAP 1.1: unqualified faultcode/faultstring, the code a QName in the envelope namespace.
            writer.WriteElementString("faultcode", CodeName(version, code));
            writer.WriteStartElement("faultstring");
            writer.WriteAttributeString("xml", "lang", null, "en");
            writer.WriteString(reason);
            writer.WriteEndElement();
        }
        else
        {
            writer.WriteStartElement("s", "Code", soapNs);
            writer.WriteElementString("s", "Value", soapNs, CodeName(version, code));
            writer.WriteEndElement();
            writer.WriteStartElement("s", "Reason", soapNs);
            writer.WriteStartElement("s", "Text", soapNs);
            writer.WriteAttributeString("xml", "lang", null, "en");
            writer.WriteString(reason);
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        writer.WriteEndElement();
    }
}
