using System.Net.Mime;
using System.Xml;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Protocol;
using PushListener.Security;
using PushListener.Subscriptions;
using PushListener.Telemetry;

namespace PushListener.Endpoint;

/// <summary>
/// <c>POST {Path}</c>: the transport for SendNotification. Checks HTTP-level things (media type, content coding, size,
/// action), reads the body into memory (decoded, bounded; read failures become their 4xx), parses it with the protocol
/// library, hands it to the <see cref="IPushProcessor"/> and writes its answer. Nothing escapes as a bare 500: the last
/// resort is a Server fault. Everything protocol-specific lives in PushListener.Protocol, so another transport could
/// replace this class.
/// </summary>
internal sealed class SendNotificationEndpoint(
    IPushProcessor processor,
    RegistrationCatalog registrations,
    IOptions<SubscriptionOptions> subscriptionOptions,
    IOptions<PushListenerOptions> options,
    TimeProvider timeProvider,
    PushTelemetry telemetry,
    RejectionCounter rejections,
    ILogger<SendNotificationEndpoint> logger)
{
    private readonly EndpointOptions _options = options.Value.Endpoint;

    // A store that is down fails every push, at Exchange's retry rate: the first in full, then a summary a minute.
    private readonly RepeatedFailureLog _storeFailures = new(timeProvider, RepeatedFailureLog.OneMinute);
    private readonly PushReaderOptions _readerOptions = new()
    {
        MaxCharacters = options.Value.Endpoint.MaxRequestBytes,
        MaxMessages = options.Value.Endpoint.MaxMessagesPerPush,
    };

    public async Task HandleAsync(HttpContext context, string? token)
    {
        PushTelemetry.Start(context);
        try
        {
            await HandleCoreAsync(context, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The sender went away; there is no one to answer.
        }
#pragma warning disable CA1031 // The last line of defence: whatever escaped, the sender gets a fault, never a bare 500.
        catch (Exception ex) when (!context.Response.HasStarted)
#pragma warning restore CA1031
        {
            EndpointLog.PushNotTaken(logger, context.Connection.RemoteIpAddress, ex);
            var version = SoapMediaType.VersionOf(context.Request.ContentType, out _) ?? SoapVersion.Soap11;
            context.Response.Clear();
            await WriteFaultAsync(context, version, FaultCode.Receiver, "The notification could not be taken; retry later.", []).ConfigureAwait(false);
        }
        finally
        {
            // Telemetry: a request that ended without an answer (the sender went away) counts as a fault; no-op once answered.
            telemetry.Finish(context, null, PushOutcome.Fault, null);
        }
    }

    private async Task HandleCoreAsync(HttpContext context, string? token)
    {
        var request = context.Request;
        Registration? registration = null;
        if (token is not null)
        {
            // Before anything is read: an unknown token stores nothing. The token itself is never logged.
            if (!registrations.TryResolveToken(token, out registration))
            {
                await RejectHttpAsync(context, StatusCodes.Status404NotFound, "Unknown callback URL.", RejectionReason.UnknownCallbackUrl).ConfigureAwait(false);
                return;
            }
        }
        else if (subscriptionOptions.Value.RequireToken)
        {
            await RejectHttpAsync(context, StatusCodes.Status404NotFound, "This listener takes pushes only on callback-token URLs.", RejectionReason.UnknownCallbackUrl).ConfigureAwait(false);
            return;
        }

        var version = SoapMediaType.VersionOf(request.ContentType, out var action);
        if (version is null)
        {
            await RejectHttpAsync(context, StatusCodes.Status415UnsupportedMediaType, "SendNotification takes text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2).", RejectionReason.UnsupportedMediaType).ConfigureAwait(false);
            return;
        }

        if (!ContentDecoding.TryDecode(request.Headers.ContentEncoding, request.Body, out var bodyStream))
        {
            context.Response.Headers.AcceptEncoding = ContentDecoding.Supported;
            await RejectHttpAsync(context, StatusCodes.Status415UnsupportedMediaType, "Content-Encoding must be gzip, deflate, br or identity.", RejectionReason.UnsupportedContentEncoding).ConfigureAwait(false);
            return;
        }

        var encoded = !ReferenceEquals(bodyStream, request.Body);
        try
        {
            await HandleBodyAsync(context, version.Value, action, bodyStream, encoded, registration).ConfigureAwait(false);
        }
        finally
        {
            if (encoded)
            {
                await bodyStream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task HandleBodyAsync(HttpContext context, SoapVersion version, string? action, Stream bodyStream, bool encoded, Registration? registration)
    {
        var request = context.Request;
        var remote = context.Connection.RemoteIpAddress;
        if (request.ContentLength > _options.MaxRequestBytes)
        {
            await RejectHttpAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body exceeds {_options.MaxRequestBytes} bytes.", RejectionReason.BodyTooLarge).ConfigureAwait(false);
            return;
        }

        var soapAction = version == SoapVersion.Soap11 ? request.Headers["SOAPAction"].ToString() : action;
        if (version == SoapVersion.Soap11 && !request.Headers.ContainsKey("SOAPAction"))
        {
            soapAction = null;
        }

        if (!SoapMediaType.IsSendNotificationAction(soapAction))
        {
            await FaultAsync(context, version, FaultCode.Sender, "The SOAP action is not " + XmlNames.SendNotificationAction + ".").ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = _options.MaxRequestBytes + 1L;
        }

        RequestBodyBuffer? body;
        try
        {
            // Encoded: the limit counts decoded bytes, and Content-Length (of the encoded bytes) is no size hint.
            body = await RequestBodyBuffer.ReadAsync(bodyStream, encoded ? null : request.ContentLength, _options.MaxRequestBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }
        catch (BadHttpRequestException ex)
        {
            // Bad chunked framing, a body that ends early, a sender below the minimum data rate (408): the server's own
            // reason is safe to return (it never quotes the body). One line, no stack trace: this is the sender's fault.
            var status = ex.StatusCode is >= 400 and < 500 ? ex.StatusCode : StatusCodes.Status400BadRequest;
            await RejectHttpAsync(context, status, "The request body could not be read: " + ex.Message, status == StatusCodes.Status408RequestTimeout ? RejectionReason.BodyTimeout : RejectionReason.BadFraming).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is InvalidDataException || (encoded && ex is InvalidOperationException))
        {
            // Corrupt encoded data: the gzip and deflate decoders throw InvalidDataException, the Brotli one InvalidOperationException.
            await RejectHttpAsync(context, StatusCodes.Status400BadRequest, "The body is not valid data for its Content-Encoding.", RejectionReason.InvalidContentEncoding).ConfigureAwait(false);
            return;
        }
        catch (IOException ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports some framing errors (a chunk size that overflows) as plain IOExceptions.
            EndpointLog.BodyAborted(logger, remote, ex.GetType().Name);
            await TryRejectAsync(context, StatusCodes.Status400BadRequest, "The request body could not be read: its framing is invalid or it ended early.", RejectionReason.BadFraming).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            EndpointLog.BodyAborted(logger, remote, ex.GetType().Name);
            return;
        }

        if (body is null)
        {
            await RejectHttpAsync(context, StatusCodes.Status413PayloadTooLarge, encoded
                ? $"The decoded body exceeds {_options.MaxRequestBytes} bytes."
                : $"The body exceeds {_options.MaxRequestBytes} bytes.", RejectionReason.BodyTooLarge).ConfigureAwait(false);
            return;
        }

        using (body)
        {
            PushRequest push;
            try
            {
                push = SendNotificationReader.Read(body.Memory, _readerOptions);
                PushTelemetry.Observation(context)?.Phase("parsed");
            }
            catch (PushRequestException ex)
            {
                await FaultAsync(context, version, ex.Code, ex.Message, ex.NotUnderstood).ConfigureAwait(false);
                return;
            }

            if (push.SoapVersion != version)
            {
                await FaultAsync(context, version, FaultCode.VersionMismatch, "The Envelope's SOAP version does not match the Content-Type.").ConfigureAwait(false);
                return;
            }

            var receivedAt = timeProvider.GetUtcNow();
            SubscriptionStatus status;
            try
            {
                status = await processor.ProcessAsync(
                    new ReceivedPush(push, receivedAt, remote, context.TraceIdentifier, body.Memory, registration, PushTelemetry.Observation(context)),
                    context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                body.Abandon();
                telemetry.Finish(context, version, PushOutcome.Fault, push.Messages[0].SubscriptionId);
                return;
            }
#pragma warning disable CA1031 // Whatever went wrong, Exchange must hear a fault (and retry), never OK.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // The store may have stopped waiting for a write that still reads the body (a timeout): not back to the pool.
                body.Abandon();
                _storeFailures.Report(logger, "Storing pushes", ex, (l, e) => EndpointLog.PushNotTaken(l, remote, e));
                telemetry.NotTaken(body.Length, ex);
                await WriteFaultAsync(context, version, FaultCode.Receiver, "The notification could not be stored; retry later.", []).ConfigureAwait(false);
                return;
            }

            _storeFailures.ReportSuccess(logger, "Storing pushes", receivedAt);
            LogAnswered(push, remote, status);
            var reply = SendNotificationWriter.Result(version, status);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = XmlNames.ReplyContentType(version);
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

    private async Task FaultAsync(HttpContext context, SoapVersion version, FaultCode code, string reason, IReadOnlyList<XmlQualifiedName>? notUnderstood = null)
    {
        EndpointLog.PushRejected(logger, context.Connection.RemoteIpAddress, code, reason);
        await WriteFaultAsync(context, version, code, reason, notUnderstood ?? []).ConfigureAwait(false);
    }

    // WS-I Basic Profile: a SOAP fault goes with HTTP 500.
    private async Task WriteFaultAsync(HttpContext context, SoapVersion version, FaultCode code, string reason, IReadOnlyList<XmlQualifiedName> notUnderstood)
    {
        var fault = SendNotificationWriter.Fault(version, code, reason, notUnderstood);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = XmlNames.ReplyContentType(version);
        context.Response.ContentLength = fault.Length;
        await context.Response.Body.WriteAsync(fault, context.RequestAborted).ConfigureAwait(false);
        telemetry.Finish(context, version, PushOutcome.Fault, null);
    }

    /// <summary>After a failed body read the connection may be gone: answering is best effort.</summary>
    private async Task TryRejectAsync(HttpContext context, int statusCode, string reason, RejectionReason rejection)
    {
        try
        {
            await RejectHttpAsync(context, statusCode, reason, rejection).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
        }
    }

    /// <summary>
    /// An HTTP-level refusal with a one-line reason; counted on <c>pushlistener.rejected_requests</c> under
    /// <paramref name="rejection"/> (before the answer is written, so a sender that hangs up is counted too).
    /// </summary>
    private async Task RejectHttpAsync(HttpContext context, int statusCode, string reason, RejectionReason rejection)
    {
        EndpointLog.HttpRejected(logger, context.Connection.RemoteIpAddress, statusCode, reason);
        rejections.Record(context.Connection.RemoteIpAddress, rejection);

        context.Response.StatusCode = statusCode;
        context.Response.ContentType = MediaTypeNames.Text.Plain;
        await context.Response.WriteAsync(reason, context.RequestAborted).ConfigureAwait(false);
        telemetry.Finish(context, null, PushOutcome.Refused, null);
    }
}
