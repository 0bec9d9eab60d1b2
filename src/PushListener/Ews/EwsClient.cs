using System.Net.Http.Headers;
using PushListener.Protocol;

namespace PushListener.Ews;

/// <summary>
/// Calls EWS <c>Subscribe</c> for push subscriptions. Every request carries <c>X-AnchorMailbox</c> and
/// <c>X-PreferServerAffinity: true</c>, and the <c>X-BackEndOverrideCookie</c> Exchange returned earlier for the mailbox.
/// Never throws for Exchange's or the network's failures: they come back as a <see cref="SubscribeResponse"/>.
/// </summary>
internal sealed partial class EwsClient(EwsConnections connections, AffinityCookies cookies, ILogger<EwsClient> logger)
{
    private static readonly MediaTypeHeaderValue ContentType = MediaTypeHeaderValue.Parse("text/xml; charset=utf-8");

    public async Task<SubscribeResponse> SubscribeAsync(Uri ewsUrl, string credentialName, EwsCredentialOptions credential, PushSubscribeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ewsUrl);
        ArgumentNullException.ThrowIfNull(request);
        var connection = connections.Get(credentialName, credential, ewsUrl);
        using var message = new HttpRequestMessage(HttpMethod.Post, ewsUrl)
        {
            Content = new ByteArrayContent(SubscribeRequestWriter.Write(request with { Impersonate = connection.Impersonate })),
        };
        message.Content.Headers.ContentType = ContentType;
        message.Headers.TryAddWithoutValidation("SOAPAction", $"\"{EwsNames.SubscribeAction}\"");
        message.Headers.Accept.ParseAdd(XmlNames.Soap11ContentType);
        message.Headers.TryAddWithoutValidation("X-AnchorMailbox", request.Mailbox);
        message.Headers.TryAddWithoutValidation("X-PreferServerAffinity", "true");
        if (cookies.Get(ewsUrl, request.Mailbox) is { } cookie)
        {
            message.Headers.TryAddWithoutValidation("Cookie", $"{EwsNames.BackEndOverrideCookie}={cookie}");
        }

        try
        {
            await connection.Authenticator.AuthorizeAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (EwsAuthenticationException ex)
        {
            TokenFailed(logger, credentialName, ex.Message);
            return SubscribeResponse.Failure(ex.Transient ? "TokenUnavailable" : "TokenRequestFailed", ex.Message);
        }

        try
        {
            using var response = await connection.Client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (AffinityCookies.Read(response) is { } affinity)
            {
                cookies.Set(ewsUrl, request.Mailbox, affinity);
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            var result = SubscribeResponseParser.Parse((int)response.StatusCode, body, retryAfter);
            if (result.ResponseCode is "ErrorProxyRequestNotAllowed" or "ErrorMailboxMoveInProgress" or "ErrorSubscriptionNotFound")
            {
                // The mailbox is elsewhere now: the old affinity would pin the next attempt to the wrong server.
                cookies.Forget(ewsUrl, request.Mailbox);
            }

            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SubscribeResponse.Failure("Timeout", $"Exchange did not answer within {connection.Client.Timeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException ex)
        {
            return SubscribeResponse.Failure("ConnectionFailed", $"Exchange could not be reached: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The handler's authentication handshake (NTLM) can fail on a malformed challenge with other exceptions.
            return SubscribeResponse.Failure("ConnectionFailed", $"The request to Exchange failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    [LoggerMessage(620, LogLevel.Warning, "No token for credential {Credential}: {Reason}")]
    private static partial void TokenFailed(ILogger logger, string credential, string reason);
}
