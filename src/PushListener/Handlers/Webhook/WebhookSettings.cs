using PushListener.Pipeline;

namespace PushListener.Handlers.Webhook;

/// <summary>Settings of the <c>Webhook</c> handler type (<c>PushListener:Handlers:{name}:Settings</c>).</summary>
internal sealed class WebhookSettings : IHandlerSettings
{
    private static readonly TimeSpan MinRequestTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxBackoffLimit = TimeSpan.FromHours(1);

    /// <summary>Absolute http or https URLs; every notification is POSTed to each. Required.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>The signing secret in Standard Webhooks form: <c>whsec_</c> followed by base64 of 24 or more random bytes. Required; never logged.</summary>
    public string? Secret { get; set; }

    /// <summary>Attempts per target and notification, the first included. Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Median delay before the first retry; later retries back off exponentially with jitter. Default 1 second.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of one backoff delay. Default 30 seconds.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one attempt (one HTTP request). Default 10 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Consecutive failed deliveries to one target after which an error naming it is logged (once per streak). Default 5.</summary>
    public int FailureLogThreshold { get; set; } = 5;

    public IEnumerable<string> Validate(string path)
    {
        if (Urls.Count == 0)
        {
            yield return $"{path}:Urls must list at least one absolute http or https URL.";
        }

        var seen = new Dictionary<Uri, int>();
        for (var i = 0; i < Urls.Count; i++)
        {
            if (!TryParseUrl(Urls[i], out var uri))
            {
                // The value is not echoed: URLs may carry access tokens.
                yield return $"{path}:Urls:{i} must be an absolute http or https URL.";
            }
            else if (!seen.TryAdd(uri, i))
            {
                yield return $"{path}:Urls:{i} repeats {path}:Urls:{seen[uri]}; each target would get every notification twice.";
            }
        }

        if (WebhookSigner.Describe(Secret) is { } secretError)
        {
            yield return $"{path}:Secret {secretError}";
        }

        if (MaxAttempts is < 1 or > 20)
        {
            yield return $"{path}:MaxAttempts must be between 1 and 20 (got {MaxAttempts}).";
        }

        if (InitialBackoff < TimeSpan.Zero || InitialBackoff > MaxBackoffLimit)
        {
            yield return $"{path}:InitialBackoff must be between 00:00:00 and 01:00:00 (got {InitialBackoff}).";
        }

        if (MaxBackoff < InitialBackoff || MaxBackoff > MaxBackoffLimit)
        {
            yield return $"{path}:MaxBackoff must be between InitialBackoff and 01:00:00 (got {MaxBackoff}).";
        }

        if (RequestTimeout < MinRequestTimeout || RequestTimeout > MaxRequestTimeout)
        {
            yield return $"{path}:RequestTimeout must be between 00:00:00.010 and 01:00:00 (got {RequestTimeout}).";
        }

        if (FailureLogThreshold < 1)
        {
            yield return $"{path}:FailureLogThreshold must be at least 1 (got {FailureLogThreshold}).";
        }
    }

    internal static bool TryParseUrl(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri)
    {
        if (!string.IsNullOrWhiteSpace(value)
            && Uri.TryCreate(value.Trim(), UriKind.Absolute, out var parsed)
            && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(parsed.Host))
        {
            uri = parsed;
            return true;
        }

        uri = null;
        return false;
    }
}
