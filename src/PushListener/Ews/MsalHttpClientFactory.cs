using Microsoft.Identity.Client;

namespace PushListener.Ews;

/// <summary>The HttpClient MSAL uses for token requests: one, shared, with a timeout (tests replace it to reach a fake token endpoint).</summary>
internal sealed class MsalHttpClientFactory : IMsalHttpClientFactory, IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient GetHttpClient() => _client;

    public void Dispose() => _client.Dispose();
}
