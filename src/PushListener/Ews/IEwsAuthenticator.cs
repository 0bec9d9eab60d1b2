namespace PushListener.Ews;

/// <summary>Signs an EWS request. NTLM has none: its handler answers the server's challenge itself.</summary>
internal interface IEwsAuthenticator
{
    /// <summary>Adds the request's credentials. Throws <see cref="EwsAuthenticationException"/> when none can be had.</summary>
    ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken);
}
