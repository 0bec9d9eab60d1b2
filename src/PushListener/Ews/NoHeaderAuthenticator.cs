namespace PushListener.Ews;

/// <summary>NTLM: the connection's handler holds the credentials and answers the server's challenge.</summary>
internal sealed class NoHeaderAuthenticator : IEwsAuthenticator
{
    public static NoHeaderAuthenticator Instance { get; } = new();

    public ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
