using System.Net.Mime;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Protocol;
using PushListener.Subscriptions;
using PushListener.Telemetry;

namespace PushListener.Endpoint;

/// <summary>
/// <c>POST {Path}</c>: the transport for SendNotification. Checks HTTP-level things (media type, size, action), reads the
/// body into memory, parses it with the protocol library, hands it to the <see cref="IPushProcessor"/> and writes its answer.
/// Everything protocol-specific lives in PushListener.Protocol, so another transport could replace this class.
/// </summary>
internal sealed class SendNotificationEndpoint(
    IPushProcessor processor,
    RegistrationCatalog registrations,
    IOptions<SubscriptionOptions> subscriptionOptions,
    IOptions<PushListenerOptions> options,
    TimeProvider timeProvider,
    PushTelemetry telemetry,
    ILogger<SendNotificationEndpoint> logger)
{
    private readonly EndpointOptions _options = options.Value.Endpoint;
    private readonly PushReaderOptions _readerOptions = new() { MaxCharacters = options.Value.Endpoint.MaxRequestBytes };

    public async Task HandleAsync(HttpContext context, string? token)
    {
        var request = context.Request;
        var remote = context.Connection.RemoteIpAddress;
        var observation = PushTelemetry.Start(context);
        Registration? registration = null;
        if (token is not null)
        {
            // Before anything is read: an unknown token stores nothing. The token itself is never logged.
            if (!registrations.TryResolveToken(token, out registration))
            {
                await RejectHttpAsync(context, StatusCodes.Status404NotFound, "Unknown callback URL.").ConfigureAwait(false);
                return;
            }
        }
        else if (subscriptionOptions.Value.RequireToken)
        {
            await RejectHttpAsync(context, StatusCodes.Status404NotFound, "This listener takes pushes only on callback-token URLs.").ConfigureAwait(false);
            return;
        }

        var version = SoapMediaType.VersionOf(request.ContentType, out var action);
        if (version is null)
        {
            await RejectHttpAsync(context, StatusCodes.Status415UnsupportedMediaType, "SendNotification takes text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2).").ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > _options.MaxRequestBytes)
        {
            await RejectHttpAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body exceeds {_options.MaxRequestBytes} bytes.").ConfigureAwait(false);
            return;
        }

        var soapAction = version == SoapVersion.Soap11 ? request.Headers["SOAPAction"].ToString() : action;
        if (version == SoapVersion.Soap11 && !request.Headers.ContainsKey("SOAPAction"))
        {
            soapAction = null;
        }

        if (!SoapMediaType.IsSendNotificationAction(soapAction))
        {
            await FaultAsync(context, version.Value, FaultCode.Sender, "The SOAP action is not " + XmlNames.SendNotificationAction + ".").ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = _options.MaxRequestBytes + 1L;
        }

        RequestBodyBuffer? body;
        try
        {
            body = await RequestBodyBuffer.ReadAsync(request.Body, request.ContentLength, _options.MaxRequestBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }

        if (body is null)
        {
            await RejectHttpAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body exceeds {_options.MaxRequestBytes} bytes.").ConfigureAwait(false);
            return;
        }

        using (body)
        {
            PushRequest push;
            try
            {
                push = SendNotificationReader.Read(body.Memory, _readerOptions);
                observation.Phase("parsed");
            }
            catch (PushRequestException ex)
            {
                await FaultAsync(context, version.Value, ex.Code, ex.Message).ConfigureAwait(false);
                return;
            }

            if (push.SoapVersion != version)
            {
                await FaultAsync(context, version.Value, FaultCode.VersionMismatch, "The Envelope's SOAP version does not match the Content-Type.").ConfigureAwait(false);
                return;
            }

            SubscriptionStatus status;
            try
            {
                status = await processor.ProcessAsync(
                    new ReceivedPush(push, timeProvider.GetUtcNow(), remote, context.TraceIdentifier, body.Memory, registration, observation),
                    context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                telemetry.Finish(context, version, PushOutcome.Fault, push.Messages[0].SubscriptionId);
                return;
            }
#pragma warning disable CA1031 // Whatever went wrong, Exchange must hear a fault (and retry), never OK.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                EndpointLog.PushNotTaken(logger, remote, ex);
                telemetry.NotTaken(body.Memory.Length, ex);
                await WriteFaultAsync(context, version.Value, FaultCode.Receiver, "The notification could not be stored; retry later.").ConfigureAwait(false);
                return;
            }

            LogAnswered(push, remote, status);
            var reply = SendNotificationWriter.Result(version.Value, status);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = XmlNames.ReplyContentType(version.Value);
            context.Response.ContentLength = reply.Length;
            await context.Response.Body.WriteAsync(reply, context.RequestAborted).ConfigureAwait(false);
            telemetry.Finish(context, version, status == SubscriptionStatus.Unsubscribe ? PushOutcome.Unsubscribe : PushOutcome.Ok, push.Messages[0].SubscriptionId);
        }
    }

    private void LogAnswered(PushRequest push, System.Net.IPAddress? remote, SubscriptionStatus status)
    {
        if (!logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var messages = push.Messages;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].IsError)
            {
                EndpointLog.ErrorPush(logger, messages[i].SubscriptionId, messages[i].ResponseCode, messages[i].MessageText);
            }
        }

        EndpointLog.PushAnswered(logger, remote, messages.Count, push.EventCount, messages[0].SubscriptionId, push.RequestServerVersion, status);
    }

    private async Task FaultAsync(HttpContext context, SoapVersion version, FaultCode code, string reason)
    {
        EndpointLog.PushRejected(logger, context.Connection.RemoteIpAddress, code, reason);
        await WriteFaultAsync(context, version, code, reason).ConfigureAwait(false);
    }

    // WS-I Basic Profile: a SOAP fault goes with HTTP 500.
    private async Task WriteFaultAsync(HttpContext context, SoapVersion version, FaultCode code, string reason)
    {
        var fault = SendNotificationWriter.Fault(version, code, reason);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = XmlNames.ReplyContentType(version);
        context.Response.ContentLength = fault.Length;
        await context.Response.Body.WriteAsync(fault, context.RequestAborted).ConfigureAwait(false);
        telemetry.Finish(context, version, PushOutcome.Fault, null);
    }

    private async Task RejectHttpAsync(HttpContext context, int statusCode, string reason)
    {
        EndpointLog.HttpRejected(logger, context.Connection.RemoteIpAddress, statusCode, reason);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = MediaTypeNames.Text.Plain;
        await context.Response.WriteAsync(reason, context.RequestAborted).ConfigureAwait(false);
        telemetry.Finish(context, null, PushOutcome.Refused, null);
    }
}
