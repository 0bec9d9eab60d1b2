using PushListener.Hosting;

namespace PushListener.Health;

/// <summary>The <c>PushListener:Health</c> section: the thresholds of <c>/healthz/ready</c>.</summary>
public sealed class HealthOptions : IValidatedOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener:Health";

    /// <summary>
    /// Not ready when the inbox's disk has less free space than this, in megabytes: stop taking pushes (Exchange retries
    /// them elsewhere or later) before SQLite runs out. Default 256.
    /// </summary>
    public long MinFreeDiskMegabytes { get; set; } = 256;

    /// <summary>
    /// Not ready when the oldest pending inbox entry is older than this: delivery is stuck (a handler failing for long,
    /// the dispatcher stalled). Default 15 minutes; <c>00:00:00</c> turns the check off.
    /// </summary>
    public TimeSpan MaxPendingAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a check's result (a probe write, an inbox reading) is reused, so frequent probes by a load balancer do not
    /// load the store. Default 5 seconds.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long each readiness check may take: one that has not answered by then (a database that stopped answering)
    /// fails, so <c>/healthz/ready</c> answers 503 within about this. Default 5 seconds.
    /// </summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    IEnumerable<string> IValidatedOptions.Validate()
    {
        if (CheckTimeout < TimeSpan.FromMilliseconds(100) || CheckTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{SectionName}:CheckTimeout must be between 00:00:00.100 and 00:05:00 (got {CheckTimeout}).";
        }

        if (MinFreeDiskMegabytes < 0)
        {
            yield return $"{SectionName}:MinFreeDiskMegabytes must be 0 or more (got {MinFreeDiskMegabytes}).";
        }

        if (MaxPendingAge < TimeSpan.Zero)
        {
            yield return $"{SectionName}:MaxPendingAge must be 00:00:00 (off) or positive (got {MaxPendingAge}).";
        }

        if (CacheDuration < TimeSpan.Zero || CacheDuration > TimeSpan.FromMinutes(5))
        {
            yield return $"{SectionName}:CacheDuration must be between 00:00:00 and 00:05:00 (got {CacheDuration}).";
        }
    }
}
