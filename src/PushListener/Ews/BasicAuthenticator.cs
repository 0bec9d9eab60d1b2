using System.Net.Http.Headers;
using System.Text;

namespace PushListener.Ews;

/// <summary>HTTP Basic: the header is built once and never logged.</summary>
internal sealed class BasicAuthenticator(string username, string password) : IEwsAuthenticator
{
    private readonly AuthenticationHeaderValue _header = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    public ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = _header;
        return ValueTask.CompletedTask;
    }
}
