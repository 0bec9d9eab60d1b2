using System.Collections.Concurrent;
using System.Net;
using Microsoft.Identity.Client;

namespace PushListener.Ews;

/// <summary>
/// Builds and keeps one <see cref="EwsConnection"/> per credential. Cookies are handled by hand (the affinity cookie is
/// per mailbox, not per host), redirects are not followed (a redirected POST to another host would carry credentials).
/// </summary>
internal sealed class EwsConnections(IMsalHttpClientFactory msalHttp) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<EwsConnection>> _connections = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The longest any EWS request may take; callers pass a shorter timeout through their cancellation token. Default 10 minutes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The connection of credential <paramref name="name"/> to the server of <paramref name="ewsUrl"/> (NTLM credentials are bound to a server).</summary>
    public EwsConnection Get(string name, EwsCredentialOptions options, Uri ewsUrl)
    {
        ArgumentNullException.ThrowIfNull(ewsUrl);
        return _connections.GetOrAdd(name + "|" + ewsUrl.GetLeftPart(UriPartial.Authority), _ => new Lazy<EwsConnection>(() => Create(name, options, ewsUrl))).Value;
    }

    public void Dispose()
    {
        foreach (var connection in _connections.Values.Where(c => c.IsValueCreated))
        {
            connection.Value.Client.Dispose();
        }
    }

    private EwsConnection Create(string name, EwsCredentialOptions options, Uri ewsUrl)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        IEwsAuthenticator authenticator;
        switch (options.ParsedKind)
        {
            case EwsCredentialKind.Basic:
                authenticator = new BasicAuthenticator(options.Username!, options.Password!);
                break;
            case EwsCredentialKind.Ntlm:
                // .NET's own NTLM: on Linux the default goes through GSSAPI, which needs gss-ntlmssp (rarely in containers).
                AppContext.SetSwitch("System.Net.Security.UseManagedNtlm", true);
                // Only NTLM for this server: the handler must never fall back to sending the password as Basic.
                var cache = new CredentialCache { { new Uri(ewsUrl.GetLeftPart(UriPartial.Authority)), "NTLM", ToNetworkCredential(options.Username!, options.Password!) } };
                handler.Credentials = cache;
                authenticator = NoHeaderAuthenticator.Instance;
                break;
            case EwsCredentialKind.ClientCredentials:
                authenticator = new ClientCredentialsAuthenticator(options, msalHttp);
                break;
            default:
                throw new InvalidOperationException($"Credential '{name}' has no Kind.");
        }

        var client = new HttpClient(handler) { Timeout = RequestTimeout };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("PushListener/1.0");
        return new EwsConnection(name, client, authenticator, options.Impersonate);
    }

    /// <summary><c>DOMAIN\user</c> becomes user and domain; <c>user@domain</c> stays whole (NTLM accepts UPNs).</summary>
    internal static NetworkCredential ToNetworkCredential(string username, string password)
    {
        var slash = username.IndexOf('\\', StringComparison.Ordinal);
        return slash > 0
            ? new NetworkCredential(username[(slash + 1)..], password, username[..slash])
            : new NetworkCredential(username, password);
    }
}
