using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace PushListener.Security;

/// <summary>
/// <c>PushListener:Senders:RateLimit</c> as options for ASP.NET Core's rate-limiting middleware: a token bucket per source
/// address, no queue (a queued push only holds a connection; Exchange retries a 429 anyway), 429 with Retry-After.
/// </summary>
internal sealed class SenderRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext>? _limiter;

    public SenderRateLimiter(IOptions<SenderOptions> options, RejectionCounter counter)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value.RateLimit;
        if (settings.PermitsPerSecond <= 0)
        {
            return;
        }

        Bucket = BucketFor(settings);
        var bucket = Bucket;

        // No address (a Unix socket, an in-process server): one shared bucket would throttle every sender together.
        _limiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(context => context.Connection.RemoteIpAddress is { } address
            ? RateLimitPartition.GetTokenBucketLimiter(SourceAddress.Normalize(address), _ => bucket)
            : RateLimitPartition.GetNoLimiter(IPAddress.None));
        var fallbackSeconds = Math.Max(1, (int)Math.Ceiling(bucket.ReplenishmentPeriod.TotalSeconds));
        MiddlewareOptions = new RateLimiterOptions
        {
            GlobalLimiter = _limiter,
            RejectionStatusCode = StatusCodes.Status429TooManyRequests,
            OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                counter.Record(context.Connection.RemoteIpAddress, RejectionReason.RateLimited);
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : fallbackSeconds;
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync($"Too many requests from this address; retry after {seconds} s.", cancellationToken);
            },
        };
    }

    /// <summary>The middleware's options; <see langword="null"/> when the limit is off.</summary>
    public RateLimiterOptions? MiddlewareOptions { get; }

    /// <summary>Each source's bucket; <see langword="null"/> when the limit is off.</summary>
    public TokenBucketRateLimiterOptions? Bucket { get; }

    /// <summary>
    /// Refills about every 100 ms so the rate is smooth, in whole tokens, keeping the exact rate: 1000/s is 100 tokens
    /// every 100 ms, 2/s one token every 500 ms, 0.01/s one token every 100 s.
    /// </summary>
    internal static TokenBucketRateLimiterOptions BucketFor(SenderRateLimitOptions settings)
    {
        var tokens = Math.Clamp((int)Math.Round(settings.PermitsPerSecond / 10), 1, settings.Burst);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / settings.PermitsPerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    public void Dispose() => _limiter?.Dispose();
}
