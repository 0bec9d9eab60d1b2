using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using PushListener.Protocol;

namespace PushListener.Simulator.Exchange;

/// <summary>The fake Exchange's SOAP: reading a Subscribe request, writing SubscribeResponse and EWS faults as Exchange does.</summary>
internal static class SubscribeSoap
{
    public const string ErrorsNamespace = "http://schemas.microsoft.com/exchange/services/2006/errors";

    private static readonly XNamespace M = XmlNames.Messages;
    private static readonly XNamespace T = XmlNames.Types;
    private static readonly XNamespace Soap = XmlNames.Soap11Envelope;
    private static readonly UTF8Encoding Utf8NoBom = new(false);

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = 1024 * 1024,
    };

    /// <summary>The request's header elements and its Subscribe element, after checking them against the schema.</summary>
    public static bool TryRead(byte[] body, out XElement header, out XElement subscribe, out string error)
    {
        header = null!;
        subscribe = null!;
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), ReaderSettings);
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            error = "The request is not well-formed XML: " + ex.Message;
            return false;
        }

        if (document.Root?.Name != Soap + "Envelope" || document.Root.Element(Soap + "Body") is not { } soapBody)
        {
            error = "The request is not a SOAP 1.1 envelope.";
            return false;
        }

        header = document.Root.Element(Soap + "Header") ?? new XElement(Soap + "Header");
        if (soapBody.Elements().FirstOrDefault() is not { } operation || operation.Name != M + "Subscribe")
        {
            error = "The fake Exchange only answers Subscribe (push subscriptions).";
            return false;
        }

        subscribe = operation;
        var errors = new List<string>();
        foreach (var element in header.Elements().Where(e => e.Name.Namespace == T))
        {
            errors.AddRange(SubscribeSchema.Validate(element));
        }

        if (header.Element(T + "RequestServerVersion") is null)
        {
            errors.Add("The RequestServerVersion header is missing.");
        }

        errors.AddRange(SubscribeSchema.Validate(subscribe));
        error = string.Join(" ", errors);
        return errors.Count == 0;
    }

    public static byte[] Response(SubscribeOutcome outcome)
    {
        var message = new XElement(M + "SubscribeResponseMessage", new XAttribute("ResponseClass", outcome.IsSuccess ? "Success" : "Error"));
        if (!outcome.IsSuccess)
        {
            message.Add(new XElement(M + "MessageText", outcome.MessageText));
        }

        message.Add(new XElement(M + "ResponseCode", outcome.ResponseCode));
        if (!outcome.IsSuccess)
        {
            message.Add(new XElement(M + "DescriptiveLinkKey", 0));
            if (outcome.BackOffMilliseconds is { } backOff)
            {
                message.Add(new XElement(M + "MessageXml", BackOffValue(backOff)));
            }
        }
        else
        {
            message.Add(new XElement(M + "SubscriptionId", outcome.SubscriptionId), new XElement(M + "Watermark", outcome.Watermark));
        }

        return Envelope(new XElement(M + "SubscribeResponse", new XElement(M + "ResponseMessages", message)));
    }

    /// <summary>An EWS SOAP fault, as Exchange sends for throttling and schema errors (HTTP 500).</summary>
    public static byte[] Fault(string responseCode, string message, long? backOffMilliseconds = null)
    {
        XNamespace e = ErrorsNamespace;
        var detail = new XElement("detail",
            new XElement(e + "ResponseCode", new XAttribute(XNamespace.Xmlns + "e", ErrorsNamespace), responseCode),
            new XElement(e + "Message", new XAttribute(XNamespace.Xmlns + "e", ErrorsNamespace), message));
        if (backOffMilliseconds is { } backOff)
        {
            detail.Add(new XElement(T + "MessageXml", BackOffValue(backOff)));
        }

        return Envelope(new XElement(Soap + "Fault",
            new XElement("faultcode", new XAttribute(XNamespace.Xmlns + "a", XmlNames.Types), "a:" + responseCode),
            new XElement("faultstring", new XAttribute(XNamespace.Xml + "lang", "en-US"), message),
            detail));
    }

    private static XElement BackOffValue(long milliseconds) =>
        new(T + "Value", new XAttribute("Name", "BackOffMilliseconds"), milliseconds.ToString(CultureInfo.InvariantCulture));

    private static byte[] Envelope(XElement content)
    {
        var envelope = new XElement(Soap + "Envelope",
            new XAttribute(XNamespace.Xmlns + "s", XmlNames.Soap11Envelope),
            new XAttribute(XNamespace.Xmlns + "m", XmlNames.Messages),
            new XAttribute(XNamespace.Xmlns + "t", XmlNames.Types),
            new XElement(Soap + "Header", new XElement(T + "ServerVersionInfo",
                new XAttribute("MajorVersion", 15), new XAttribute("MinorVersion", 20), new XAttribute("MajorBuildNumber", 8293), new XAttribute("MinorBuildNumber", 12), new XAttribute("Version", "V2018_01_08"))),
            new XElement(Soap + "Body", content));
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = Utf8NoBom, Indent = false }))
        {
            new XDocument(new XDeclaration("1.0", "utf-8", null), envelope).Save(writer);
        }

        return buffer.ToArray();
    }
}
