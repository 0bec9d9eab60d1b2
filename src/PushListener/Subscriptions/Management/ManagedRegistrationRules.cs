using System.Net.Mail;

namespace PushListener.Subscriptions.Management;

/// <summary>The settings a managed registration needs beyond its own <c>Ews</c> section: a mailbox, a known credential, a public base URL.</summary>
internal static class ManagedRegistrationRules
{
    public static IEnumerable<string> Validate(SubscriptionOptions options)
    {
        var section = SubscriptionOptions.SectionName;
        foreach (var error in options.Manager.Validate(section + ":Manager"))
        {
            yield return error;
        }

        foreach (var (name, credential) in options.Credentials)
        {
            foreach (var error in credential.Validate($"{section}:Credentials:{name}"))
            {
                yield return error;
            }
        }

        var managed = options.Registrations.Where(r => r.Value.Ews is not null).ToList();
        // Required by managed registrations; when set without them, the admin API still hands it out in callback URLs.
        if (managed.Count > 0 || !string.IsNullOrEmpty(options.PublicBaseUrl))
        {
            foreach (var error in ValidatePublicBaseUrl(options.PublicBaseUrl))
            {
                yield return error;
            }
        }

        foreach (var (name, registration) in managed)
        {
            var path = $"{section}:Registrations:{name}";
            foreach (var error in registration.Ews!.Validate(path + ":Ews"))
            {
                yield return error;
            }

            if (!IsMailbox(registration.Mailbox))
            {
                yield return $"{path}:Mailbox must be the SMTP address of the mailbox to subscribe to (got '{registration.Mailbox}').";
            }

            if (registration.Ews.Credential is { Length: > 0 } credential)
            {
                if (!options.Credentials.TryGetValue(credential, out var signIn))
                {
                    yield return $"{path}:Ews:Credential names '{credential}', which is not under {section}:Credentials.";
                }
                else if (ImpersonationProblem(signIn, registration.Mailbox) is { } problem)
                {
                    yield return $"{section}:Credentials:{credential}:Impersonate must be true for registration {name}: {problem}";
                }
            }
        }
    }

    /// <summary>
    /// Why a credential without <c>Impersonate</c> cannot reach <paramref name="mailbox"/>: app-only tokens always need
    /// it, and an account signing in as someone else would subscribe to its own mailbox. Null when it can.
    /// </summary>
    public static string? ImpersonationProblem(Ews.EwsCredentialOptions credential, string? mailbox)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (credential.Impersonate)
        {
            return null;
        }

        if (credential.ParsedKind == Ews.EwsCredentialKind.ClientCredentials)
        {
            return "an app-only token reaches a mailbox only through ExchangeImpersonation.";
        }

        // DOMAIN\user cannot be compared with an address; user@domain can.
        return credential.Username is { } user && user.Contains('@', StringComparison.Ordinal) && mailbox is not null && !string.Equals(user.Trim(), mailbox.Trim(), StringComparison.OrdinalIgnoreCase)
            ? $"without it, {user} would subscribe to its own mailbox, not {mailbox}."
            : null;
    }

    public static IEnumerable<string> ValidatePublicBaseUrl(string? publicBaseUrl)
    {
        if (!Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            yield return $"{SubscriptionOptions.SectionName}:PublicBaseUrl must be the absolute http(s) URL Exchange reaches the listener at, without query, such as https://push.example.com (got '{publicBaseUrl}').";
        }
    }

    public static bool IsMailbox(string? mailbox) =>
        !string.IsNullOrWhiteSpace(mailbox) && MailAddress.TryCreate(mailbox, out var address) && address.Address == mailbox.Trim();
}
