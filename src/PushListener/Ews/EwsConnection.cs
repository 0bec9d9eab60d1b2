namespace PushListener.Ews;

/// <summary>One credential's way to EWS: its HttpClient (NTLM's handler holds the credentials) and how requests are signed.</summary>
internal sealed class EwsConnection(string credentialName, HttpClient client, IEwsAuthenticator authenticator, bool impersonate)
{
    public string CredentialName { get; } = credentialName;

    public HttpClient Client { get; } = client;

    public IEwsAuthenticator Authenticator { get; } = authenticator;

    /// <summary>Send <c>ExchangeImpersonation</c> naming the mailbox.</summary>
    public bool Impersonate { get; } = impersonate;
}
