using System.Net;
using PushListener.Protocol;

namespace PushListener.Endpoint;

/// <summary>Source-generated log methods of the endpoint. Bodies are never logged.</summary>
internal static partial class EndpointLog
{
    [LoggerMessage(1, LogLevel.Debug, "Push from {RemoteAddress}: {MessageCount} message(s), {EventCount} event(s), subscription {SubscriptionId}, server version {RequestServerVersion}, answered {SubscriptionStatus}")]
    public static partial void PushAnswered(ILogger logger, IPAddress? remoteAddress, int messageCount, int eventCount, string? subscriptionId, string? requestServerVersion, SubscriptionStatus subscriptionStatus);

    [LoggerMessage(2, LogLevel.Warning, "Rejected a push from {RemoteAddress}: {FaultCode} fault, {Reason}")]
    public static partial void PushRejected(ILogger logger, IPAddress? remoteAddress, FaultCode faultCode, string reason);

    [LoggerMessage(3, LogLevel.Error, "A push from {RemoteAddress} could not be taken; answered a Server fault so Exchange retries")]
    public static partial void PushNotTaken(ILogger logger, IPAddress? remoteAddress, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Rejected a request from {RemoteAddress} with HTTP {StatusCode}: {Reason}")]
    public static partial void HttpRejected(ILogger logger, IPAddress? remoteAddress, int statusCode, string reason);

    [LoggerMessage(6, LogLevel.Debug, "A push from {RemoteAddress} was abandoned while its body was read ({Exception}); nothing was stored")]
    public static partial void BodyAborted(ILogger logger, IPAddress? remoteAddress, string exception);

    [LoggerMessage(5, LogLevel.Warning, "Error push for subscription {SubscriptionId}: {ResponseCode} {MessageText}")]
    public static partial void ErrorPush(ILogger logger, string? subscriptionId, string responseCode, string? messageText);
}
