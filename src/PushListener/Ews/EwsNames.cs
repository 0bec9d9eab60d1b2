namespace PushListener.Ews;

/// <summary>Names of the EWS operations PushListener calls (the namespaces are the protocol library's).</summary>
internal static class EwsNames
{
    /// <summary>The namespace of <c>ResponseCode</c> and <c>Message</c> in a SOAP fault's detail.</summary>
    public const string Errors = "http://schemas.microsoft.com/exchange/services/2006/errors";

    public const string SubscribeAction = "http://schemas.microsoft.com/exchange/services/2006/messages/Subscribe";

    /// <summary>The version PushListener asks for by default: Exchange 2013 SP1 and later (Exchange Online, Exchange Server SE) all speak it.</summary>
    public const string DefaultServerVersion = "Exchange2013_SP1";

    /// <summary>The cookie (and, from some front ends, header) that pins later requests to the mailbox's back-end server.</summary>
    public const string BackEndOverrideCookie = "X-BackEndOverrideCookie";
}
