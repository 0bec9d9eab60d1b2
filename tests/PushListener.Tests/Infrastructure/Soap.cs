using System.Net.Http.Headers;
using System.Xml.Linq;

namespace PushListener.Tests.Infrastructure;

/// <summary>Builds SendNotification HTTP requests and reads replies.</summary>
internal static class Soap
{
    public const string Action = "http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification";
    public static readonly XNamespace Soap11 = "http://schemas.xmlsoap.org/soap/envelope/";
    public static readonly XNamespace Soap12 = "http://www.w3.org/2003/05/soap-envelope";
    public static readonly XNamespace M = "http://schemas.microsoft.com/exchange/services/2006/messages";

    public static HttpRequestMessage Post(byte[] body, string contentType = "text/xml; charset=utf-8", string? soapAction = Action, string path = "/ews/notifications")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (soapAction is not null)
        {
            request.Headers.TryAddWithoutValidation("SOAPAction", soapAction);
        }

        return request;
    }

    public static HttpRequestMessage PostFixture(string name)
    {
        var bytes = Fixture.Bytes(name);
        var isSoap12 = name.Contains("soap12", StringComparison.OrdinalIgnoreCase);
        return isSoap12
            ? Post(bytes, "application/soap+xml; charset=utf-8; action=\"" + Action + "\"", soapAction: null)
            : Post(bytes);
    }

    /// <summary>The SubscriptionStatus of a SendNotificationResult reply.</summary>
    public static string StatusOf(string reply) =>
        XDocument.Parse(reply).Descendants(M + "SubscriptionStatus").Single().Value;

    /// <summary>The (code, reason) of a SOAP 1.1 or 1.2 fault.</summary>
    public static (string Code, string Reason) FaultOf(string reply)
    {
        var document = XDocument.Parse(reply);
        var fault11 = document.Descendants(Soap11 + "Fault").SingleOrDefault();
        if (fault11 is not null)
        {
            return (fault11.Element("faultcode")!.Value, fault11.Element("faultstring")!.Value);
        }

        var fault12 = document.Descendants(Soap12 + "Fault").Single();
        return (fault12.Element(Soap12 + "Code")!.Element(Soap12 + "Value")!.Value, fault12.Element(Soap12 + "Reason")!.Element(Soap12 + "Text")!.Value);
    }
}
