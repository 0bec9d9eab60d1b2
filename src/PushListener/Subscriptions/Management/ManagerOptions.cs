namespace PushListener.Subscriptions.Management;

/// <summary><c>PushListener:Subscriptions:Manager</c>: how managed subscriptions are kept alive.</summary>
public sealed class ManagerOptions
{
    /// <summary>Run the subscription manager (it only acts on registrations with an <c>Ews</c> section). Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often every managed subscription is checked for silence and due retries. Default 15 seconds.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The first wait after a transient failure without <c>BackOffMilliseconds</c>; it doubles per failure. Default 30 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between attempts (and the cap on Exchange's <c>BackOffMilliseconds</c>). Default 30 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long one EWS request may take. Default 60 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Resubscribe from the last watermark only while it is younger than this; older ones are refused by Exchange
    /// (<c>ErrorInvalidWatermark</c>, about 30 days) and are costly to replay. Default 7 days.
    /// </summary>
    public TimeSpan MaxWatermarkAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Errors, each naming the setting.</summary>
    public IEnumerable<string> Validate(string path)
    {
        if (CheckInterval < TimeSpan.FromSeconds(1))
        {
            yield return $"{path}:CheckInterval must be at least 00:00:01 (got {CheckInterval}).";
        }

        if (RetryDelay < TimeSpan.FromSeconds(1))
        {
            yield return $"{path}:RetryDelay must be at least 00:00:01 (got {RetryDelay}).";
        }

        if (MaxRetryDelay < RetryDelay)
        {
            yield return $"{path}:MaxRetryDelay must not be shorter than RetryDelay (got {MaxRetryDelay}).";
        }

        if (RequestTimeout < TimeSpan.FromSeconds(1) || RequestTimeout > TimeSpan.FromMinutes(10))
        {
            yield return $"{path}:RequestTimeout must be between 00:00:01 and 00:10:00 (got {RequestTimeout}).";
        }

        if (MaxWatermarkAge <= TimeSpan.Zero || MaxWatermarkAge > TimeSpan.FromDays(30))
        {
            yield return $"{path}:MaxWatermarkAge must be positive and at most 30 days, Exchange's limit (got {MaxWatermarkAge}).";
        }
    }
}
