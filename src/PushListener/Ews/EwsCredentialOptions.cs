namespace PushListener.Ews;

/// <summary>
/// A credential, <c>PushListener:Subscriptions:Credentials:{name}</c>. Registrations name it in <c>Ews:Credential</c>.
/// Secrets (<see cref="Password"/>, <see cref="ClientSecret"/>, <see cref="CertificatePassword"/>) are never logged or
/// returned by the admin API; keep them in environment variables or a secret store rather than appsettings.json.
/// </summary>
public sealed class EwsCredentialOptions
{
    /// <summary>The Microsoft identity platform's sign-in host. Default <c>https://login.microsoftonline.com/</c>.</summary>
    public const string DefaultAuthority = "https://login.microsoftonline.com/";

    /// <summary>EWS's scope for app-only tokens. Default <c>https://outlook.office365.com/.default</c>.</summary>
    public const string DefaultScope = "https://outlook.office365.com/.default";

    /// <summary><c>Basic</c>, <c>Ntlm</c> or <c>ClientCredentials</c>. Required. (A string, so that a wrong value is reported with the other errors.)</summary>
    public string? Kind { get; set; }

    /// <summary><see cref="Kind"/> parsed; null when missing or unknown.</summary>
    public EwsCredentialKind? ParsedKind => Enum.TryParse<EwsCredentialKind>(Kind, ignoreCase: true, out var kind) && Enum.IsDefined(kind) && !int.TryParse(Kind, out _) ? kind : null;

    /// <summary>Basic and NTLM: the account (<c>DOMAIN\user</c> or <c>user@domain</c> for NTLM).</summary>
    public string? Username { get; set; }

    /// <summary>Basic and NTLM: the password. Secret.</summary>
    public string? Password { get; set; }

    /// <summary>ClientCredentials: the Entra ID tenant (GUID or domain).</summary>
    public string? TenantId { get; set; }

    /// <summary>ClientCredentials: the app registration's application (client) id.</summary>
    public string? ClientId { get; set; }

    /// <summary>ClientCredentials: a client secret. Secret. Either this or <see cref="CertificatePath"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>ClientCredentials: a certificate with its private key (<c>.pfx</c>/<c>.p12</c>, or <c>.pem</c> holding both).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>ClientCredentials: the password of a <c>.pfx</c> file, if it has one. Secret.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Send <c>ExchangeImpersonation</c> naming the registration's mailbox. Required for app-only tokens; for a service account it needs the ApplicationImpersonation role. Default <see langword="false"/>.</summary>
    public bool Impersonate { get; set; }

    /// <summary>ClientCredentials: the sign-in host (sovereign clouds differ). Default <see cref="DefaultAuthority"/>.</summary>
    public string Authority { get; set; } = DefaultAuthority;

    /// <summary>ClientCredentials: the token's scope. Default <see cref="DefaultScope"/>.</summary>
    public string Scope { get; set; } = DefaultScope;

    /// <summary>Errors, each naming the setting under <paramref name="path"/>.</summary>
    public IEnumerable<string> Validate(string path)
    {
        switch (ParsedKind)
        {
            case null:
                yield return string.IsNullOrWhiteSpace(Kind)
                    ? $"{path}:Kind is required (Basic, Ntlm or ClientCredentials)."
                    : $"{path}:Kind must be Basic, Ntlm or ClientCredentials (got '{Kind}').";
                break;
            case EwsCredentialKind.Basic or EwsCredentialKind.Ntlm:
                if (string.IsNullOrWhiteSpace(Username))
                {
                    yield return $"{path}:Username is required for Kind {ParsedKind}.";
                }

                if (string.IsNullOrEmpty(Password))
                {
                    yield return $"{path}:Password is required for Kind {ParsedKind}.";
                }

                break;
            case EwsCredentialKind.ClientCredentials:
                if (string.IsNullOrWhiteSpace(TenantId))
                {
                    yield return $"{path}:TenantId is required for Kind ClientCredentials.";
                }

                if (string.IsNullOrWhiteSpace(ClientId))
                {
                    yield return $"{path}:ClientId is required for Kind ClientCredentials.";
                }

                if (string.IsNullOrEmpty(ClientSecret) == string.IsNullOrEmpty(CertificatePath))
                {
                    yield return $"{path}: give exactly one of ClientSecret and CertificatePath for Kind ClientCredentials.";
                }
                else if (!string.IsNullOrEmpty(CertificatePath) && !File.Exists(CertificatePath))
                {
                    yield return $"{path}:CertificatePath '{CertificatePath}' does not exist.";
                }

                if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme != Uri.UriSchemeHttps)
                {
                    yield return $"{path}:Authority must be an absolute https URL (got '{Authority}').";
                }

                if (string.IsNullOrWhiteSpace(Scope))
                {
                    yield return $"{path}:Scope must not be empty.";
                }

                break;
            default:
                yield return $"{path}:Kind must be Basic, Ntlm or ClientCredentials.";
                break;
        }
    }
}
