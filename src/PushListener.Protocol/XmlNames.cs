namespace PushListener.Protocol;

/// <summary>Namespaces and action URIs of the protocol.</summary>
public static class XmlNames
{
    public const string Soap11Envelope = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string Soap12Envelope = "http://www.w3.org/2003/05/soap-envelope";
    public const string Messages = "http://schemas.microsoft.com/exchange/services/2006/messages";
    public const string Types = "http://schemas.microsoft.com/exchange/services/2006/types";
    public const string SendNotificationAction = "http://schemas.microsoft.com/exchange/services/2006/messages/SendNotification";

    /// <summary>SOAP 1.1 <c>actor</c> meaning "the next node": the listener.</summary>
    public const string Soap11ActorNext = "http://schemas.xmlsoap.org/soap/actor/next";

    /// <summary>SOAP 1.2 roles the listener plays: it is the next node and the ultimate receiver.</summary>
    public const string Soap12RoleNext = "http://www.w3.org/2003/05/soap-envelope/role/next";

    public const string Soap12RoleUltimateReceiver = "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver";

    public const string Soap11ContentType = "text/xml";
    public const string Soap12ContentType = "application/soap+xml";

    /// <summary>The envelope namespace of <paramref name="version"/>.</summary>
    public static string EnvelopeNamespace(SoapVersion version) => version == SoapVersion.Soap11 ? Soap11Envelope : Soap12Envelope;

    /// <summary>The reply content type of <paramref name="version"/>, with charset.</summary>
    public static string ReplyContentType(SoapVersion version) =>
        version == SoapVersion.Soap11 ? "text/xml; charset=utf-8" : "application/soap+xml; charset=utf-8";
}
