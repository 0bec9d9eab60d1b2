namespace PushListener.Protocol;

/// <summary>Namespaces and action URIs of the protocol.</summary>
public static class XmlNames
{
    public const string Soap11Envelope = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string Soap12Envelope = "http://www.w3.org/2003/05/soap-envelope";
    public const string Messages = "http://schemas.microsoft.com/exchange/services/2006/messages";
    public const string Types = "http://schemas.microsoft.com/exchange/services/2006/types";
    public const string SendNotificationAction = "http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification";

    public const string Soap11ContentType = "text/xml";
    public const string Soap12ContentType = "application/soap+xml";

    /// <summary>The envelope namespace of <paramref name="version"/>.</summary>
    public static string EnvelopeNamespace(SoapVersion version) => version == SoapVersion.Soap11 ? Soap11Envelope : Soap12Envelope;

    /// <summary>The reply content type of <paramref name="version"/>, with charset.</summary>
    public static string ReplyContentType(SoapVersion version) =>
        version == SoapVersion.Soap11 ? "text/xml; charset=utf-8" : "application/soap+xml; charset=utf-8";
}
