namespace PushListener.Admin;

/// <summary>The <c>PushListener:Admin</c> section.</summary>
public sealed class AdminOptions : Hosting.IValidatedOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener:Admin";

    /// <summary>
    /// The key callers of <c>/api</c> present in the <c>X-Api-Key</c> header (or <c>Authorization: Bearer</c>). No key, no
    /// admin API: its routes are not mapped at all. Use at least 32 random characters. Default: none.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Errors, each naming the setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (ApiKey is { Length: > 0 and < 16 })
        {
            yield return $"{SectionName}:ApiKey must be at least 16 characters (got {ApiKey.Length}); generate one with: openssl rand -base64 32";
        }
    }
}
