namespace PushListener.Handlers.Webhook;

/// <summary>One URL the handler posts to, with its streak of failed deliveries.</summary>
internal sealed class WebhookTarget
{
    private readonly Lock _lock = new();
    private int _failures;
    private bool _reported;

    public WebhookTarget(Uri uri)
    {
        Uri = uri;
        // Logs name the target without user info or query: either may hold a credential.
        Display = uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
    }

    public Uri Uri { get; }

    /// <summary>The URL as logs and exceptions show it.</summary>
    public string Display { get; }

    public void Succeeded(ILogger logger)
    {
        int failures;
        bool reported;
        lock (_lock)
        {
            failures = _failures;
            reported = _reported;
            _failures = 0;
            _reported = false;
        }

        if (reported)
        {
            WebhookLog.TargetRecovered(logger, Display, failures);
        }
    }

    public void Failed(ILogger logger, string lastFailure, int threshold)
    {
        int failures;
        lock (_lock)
        {
            failures = ++_failures;
            if (failures < threshold || _reported)
            {
                return;
            }

            _reported = true;
        }

        WebhookLog.TargetFailing(logger, Display, failures, lastFailure);
    }
}
