namespace PushListener.Ews;

/// <summary>How PushListener signs in to EWS.</summary>
public enum EwsCredentialKind
{
    /// <summary>HTTP Basic with <c>Username</c> and <c>Password</c> (Exchange Server, over HTTPS only).</summary>
    Basic,

    /// <summary>NTLM with <c>Username</c> (<c>DOMAIN\user</c> or <c>user@domain</c>) and <c>Password</c> (Exchange Server).</summary>
    Ntlm,

    /// <summary>OAuth 2.0 client credentials through MSAL (Exchange Online): <c>TenantId</c>, <c>ClientId</c>, and <c>ClientSecret</c> or <c>CertificatePath</c>.</summary>
    ClientCredentials,
}
