using System.Globalization;

namespace PushListener.Security;

/// <summary>The <c>PushListener:Senders</c> section: who may call the SendNotification endpoint, and how often.</summary>
public sealed class SenderOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener:Senders";

    /// <summary>
    /// Source addresses allowed to call <c>{Path}</c>: CIDR ranges (<c>192.0.2.0/24</c>, <c>2001:db8::/32</c>) or single addresses,
    /// IPv4 and IPv6. Empty (the default) allows everyone, so the quick start works; set it in production.
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>The per-source rate limit.</summary>
    public SenderRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Rejections are logged at most once per source and reason in this interval, with the count. Default 1 minute.</summary>
    public TimeSpan RejectionLogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Errors, each naming the setting.</summary>
    /// <param name="allowedNetworkKeys">
    /// The configuration keys the <see cref="AllowedNetworks"/> entries were bound from, in order; the binder closes gaps
    /// (entries 0 and 2 become an array of two), so an error names the key the operator wrote, not the array index.
    /// </param>
    public IEnumerable<string> Validate(IReadOnlyList<string>? allowedNetworkKeys = null)
    {
        const string p = SectionName;
        for (var i = 0; i < AllowedNetworks.Length; i++)
        {
            if (!NetworkRange.TryParse(AllowedNetworks[i], out _, out var error))
            {
                var key = allowedNetworkKeys?.Count == AllowedNetworks.Length ? allowedNetworkKeys[i] : i.ToString(CultureInfo.InvariantCulture);
                yield return $"{p}:AllowedNetworks:{key} '{AllowedNetworks[i]}' is not an address or CIDR range such as 192.0.2.0/24 or 2001:db8::/32: {error}.";
            }
        }

        var rate = RateLimit.PermitsPerSecond;
        if (!(rate == 0 || rate is >= SenderRateLimitOptions.MinPermitsPerSecond and <= SenderRateLimitOptions.MaxPermitsPerSecond))
        {
            yield return $"{p}:RateLimit:PermitsPerSecond must be 0 (no limit) or between 0.001 and 1000000 (got {rate}).";
        }
        else if (rate > 0 && (RateLimit.Burst < 1 || RateLimit.Burst < Math.Ceiling(rate) || RateLimit.Burst > SenderRateLimitOptions.MaxPermitsPerSecond * 10))
        {
            yield return $"{p}:RateLimit:Burst must be at least {p}:RateLimit:PermitsPerSecond (the bucket holds one second of traffic) and at most 10000000 (got {RateLimit.Burst} with {rate} per second).";
        }

        if (RejectionLogInterval < TimeSpan.FromSeconds(1) || RejectionLogInterval > TimeSpan.FromDays(1))
        {
            yield return $"{p}:RejectionLogInterval must be between 00:00:01 and 1.00:00:00 (got {RejectionLogInterval}).";
        }
    }
}

/// <summary>The <c>PushListener:Senders:RateLimit</c> section: a token bucket per source address.</summary>
public sealed class SenderRateLimitOptions
{
    internal const double MinPermitsPerSecond = 0.001;
    internal const double MaxPermitsPerSecond = 1_000_000;

    /// <summary>
    /// Sustained requests per second allowed from one source address; 0 turns the limit off. Default 1000: far above what
    /// one Exchange server sends (one request per subscription at a time, heartbeats every StatusFrequency minutes), far
    /// below a flood.
    /// </summary>
    public double PermitsPerSecond { get; set; } = 1000;

    /// <summary>Requests one source may send at once before the sustained rate applies (the bucket size). Default 2000.</summary>
    public int Burst { get; set; } = 2000;
}
