using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Identity.Client;

namespace PushListener.Ews;

/// <summary>
/// OAuth 2.0 client credentials through MSAL: an app-only bearer token for EWS (scope
/// <c>https://outlook.office365.com/.default</c>, permission <c>full_access_as_app</c>). MSAL caches the token and
/// renews it shortly before it expires.
/// </summary>
internal sealed class ClientCredentialsAuthenticator : IEwsAuthenticator
{
    private readonly IConfidentialClientApplication _app;
    private readonly string[] _scopes;

    public ClientCredentialsAuthenticator(EwsCredentialOptions options, IMsalHttpClientFactory httpClientFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var authority = new Uri(new Uri(options.Authority.EndsWith('/') ? options.Authority : options.Authority + "/"), options.TenantId);
        var builder = ConfidentialClientApplicationBuilder.Create(options.ClientId)
            .WithAuthority(authority.AbsoluteUri, validateAuthority: false)
            .WithHttpClientFactory(httpClientFactory)
            // The authority is configured; asking the discovery endpoint about it adds a round trip and a failure mode.
            .WithInstanceDiscovery(false)
            .WithLogging(static (_, _, _) => { }, enablePiiLogging: false);
        builder = options.ClientSecret is { Length: > 0 } secret
            ? builder.WithClientSecret(secret)
            : builder.WithCertificate(LoadCertificate(options.CertificatePath!, options.CertificatePassword));
        _app = builder.Build();
        _scopes = [options.Scope];
    }

    public async ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        AuthenticationResult result;
        try
        {
            result = await _app.AcquireTokenForClient(_scopes).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MsalServiceException ex)
        {
            // invalid_client, unauthorized_client, invalid_scope: someone must fix the app registration. 5xx and 429: try again.
            var transient = ex.StatusCode is >= 500 or 429 or 0 || ex.IsRetryable;
            throw new EwsAuthenticationException($"The token request was refused: {ex.ErrorCode} (HTTP {ex.StatusCode}).", transient, ex);
        }
        catch (MsalClientException ex)
        {
            throw new EwsAuthenticationException($"No token could be requested: {ex.ErrorCode}.", transient: true, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new EwsAuthenticationException("The token endpoint could not be reached: " + ex.Message, transient: true, ex);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", result.AccessToken);
    }

    private static X509Certificate2 LoadCertificate(string path, string? password) =>
        Path.GetExtension(path).Equals(".pem", StringComparison.OrdinalIgnoreCase)
            ? X509Certificate2.CreateFromPemFile(path)
            : X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
}
