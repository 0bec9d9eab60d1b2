using System.Globalization;
using System.Text;
using System.Xml;
using PushListener.Protocol;

namespace PushListener.Ews;

/// <summary>
/// Writes a SOAP 1.1 <c>Subscribe</c> request with a <c>PushSubscriptionRequest</c>, elements in the order Microsoft's
/// messages.xsd requires: FolderIds (or the SubscribeToAllFolders attribute), EventTypes, Watermark, StatusFrequency, URL.
/// </summary>
internal static class SubscribeRequestWriter
{
    private static readonly XmlWriterSettings Settings = new() { Encoding = new UTF8Encoding(false), Indent = false };

    public static byte[] Write(PushSubscribeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream(1024);
        using (var w = XmlWriter.Create(buffer, Settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("soap", "Envelope", XmlNames.Soap11Envelope);
            w.WriteAttributeString("xmlns", "m", null, XmlNames.Messages);
            w.WriteAttributeString("xmlns", "t", null, XmlNames.Types);
            w.WriteStartElement("soap", "Header", XmlNames.Soap11Envelope);
            w.WriteStartElement("t", "RequestServerVersion", XmlNames.Types);
            w.WriteAttributeString("Version", request.ServerVersion);
            w.WriteEndElement();
            if (request.Impersonate)
            {
                w.WriteStartElement("t", "ExchangeImpersonation", XmlNames.Types);
                w.WriteStartElement("t", "ConnectingSID", XmlNames.Types);
                w.WriteElementString("t", "SmtpAddress", XmlNames.Types, request.Mailbox);
                w.WriteEndElement();
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteStartElement("soap", "Body", XmlNames.Soap11Envelope);
            w.WriteStartElement("m", "Subscribe", XmlNames.Messages);
            w.WriteStartElement("m", "PushSubscriptionRequest", XmlNames.Messages);
            if (request.AllFolders)
            {
                w.WriteAttributeString("SubscribeToAllFolders", "true");
            }
            else
            {
                w.WriteStartElement("t", "FolderIds", XmlNames.Types);
                foreach (var folder in request.Folders)
                {
                    w.WriteStartElement("t", "DistinguishedFolderId", XmlNames.Types);
                    // No Mailbox child: push subscriptions refuse delegate access (ErrorSubscriptionDelegateAccessNotSupported);
                    // another user's mailbox is reached by impersonation instead.
                    w.WriteAttributeString("Id", folder);
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            w.WriteStartElement("t", "EventTypes", XmlNames.Types);
            foreach (var type in request.EventTypes)
            {
                w.WriteElementString("t", "EventType", XmlNames.Types, type);
            }

            w.WriteEndElement();
            if (request.Watermark is { Length: > 0 } watermark)
            {
                w.WriteElementString("t", "Watermark", XmlNames.Types, watermark);
            }

            w.WriteElementString("t", "StatusFrequency", XmlNames.Types, request.StatusFrequency.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("t", "URL", XmlNames.Types, request.CallbackUrl.AbsoluteUri);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return buffer.ToArray();
    }
}
