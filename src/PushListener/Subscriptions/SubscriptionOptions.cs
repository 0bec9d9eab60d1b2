namespace PushListener.Subscriptions;

/// <summary>What to do with pushes from subscriptions no registration claims.</summary>
public enum UnknownSubscriptionPolicy
{
    /// <summary>Take them (the default, so the quick start works).</summary>
    Accept,

    /// <summary>Answer Unsubscribe and store nothing: only registered subscriptions may push (production).</summary>
    Unsubscribe,
}

/// <summary>The <c>PushListener:Subscriptions</c> section.</summary>
public sealed class SubscriptionOptions : Hosting.IValidatedOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener:Subscriptions";

    /// <summary>Pushes from subscriptions no registration claims. Default <see cref="UnknownSubscriptionPolicy.Accept"/>.</summary>
    public UnknownSubscriptionPolicy UnknownPolicy { get; set; } = UnknownSubscriptionPolicy.Accept;

    /// <summary>Accept pushes only on callback-token URLs (<c>{Path}/{token}</c>); the bare path answers 404. Default <see langword="false"/>.</summary>
    public bool RequireToken { get; set; }

    /// <summary>How often the watchdog looks for silent subscriptions. Default 30 seconds.</summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Registrations from configuration, by name (the API can add more).</summary>
    public Dictionary<string, RegistrationOptions> Registrations { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The base URL Exchange reaches the listener at, for managed registrations: Exchange is given
    /// <c>{PublicBaseUrl}{Endpoint:Path}/{registration token}</c>. Required when any registration is managed.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Credentials for EWS by name; managed registrations name one in <c>Ews:Credential</c>. Secrets are never logged or shown.</summary>
    public Dictionary<string, Ews.EwsCredentialOptions> Credentials { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How the subscription manager keeps managed subscriptions alive.</summary>
    public Management.ManagerOptions Manager { get; set; } = new();

    /// <summary>Errors, each naming the setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Enum.IsDefined(UnknownPolicy))
        {
            yield return $"{SectionName}:UnknownPolicy must be Accept or Unsubscribe.";
        }

        if (WatchdogInterval < TimeSpan.FromSeconds(1))
        {
            yield return $"{SectionName}:WatchdogInterval must be at least 00:00:01 (got {WatchdogInterval}).";
        }

        foreach (var (name, registration) in Registrations)
        {
            foreach (var error in registration.Validate($"{SectionName}:Registrations:{name}"))
            {
                yield return error;
            }
        }

        foreach (var error in Management.ManagedRegistrationRules.Validate(this))
        {
            yield return error;
        }
    }
}

/// <summary>A registration in configuration: who a subscription belongs to.</summary>
public sealed class RegistrationOptions
{
    /// <summary>The mailbox the subscription watches (SMTP address).</summary>
    public string? Mailbox { get; set; }

    /// <summary>The StatusFrequency the subscription was created with, in minutes (1 to 1440); the watchdog uses it.</summary>
    public int? StatusFrequency { get; set; }

    /// <summary>A free-form owner tag for routing and reports.</summary>
    public string? OwnerTag { get; set; }

    /// <summary>Subscription ids that belong to this registration (when Exchange was not given a token URL).</summary>
    public List<string> SubscriptionIds { get; set; } = [];

    /// <summary>
    /// The callback token: Exchange is given <c>{Path}/{Token}</c>. At least 32 characters; generate with
    /// <c>openssl rand -base64 32 | tr '+/' '-_' | tr -d '='</c>. Keep it secret like a password.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Where and how PushListener creates this registration's subscription itself; absent for registrations whose subscriptions someone else creates.</summary>
    public Ews.EwsRegistrationOptions? Ews { get; set; }

    public IEnumerable<string> Validate(string path)
    {
        if (StatusFrequency is < 1 or > 1440)
        {
            yield return $"{path}:StatusFrequency must be between 1 and 1440 minutes (got {StatusFrequency}).";
        }

        if (Token is not null && !CallbackToken.IsWellFormed(Token))
        {
            yield return $"{path}:Token must be at least 32 URL-safe characters (letters, digits, '-' and '_').";
        }
    }
}
