using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PushListener.Telemetry;

namespace PushListener.Health;

/// <summary>Ready only while the oldest inbox entry not yet processed (pending or in flight) is younger than <see cref="HealthOptions.MaxPendingAge"/>.</summary>
internal sealed class DeliveryLagCheck(InboxStatsSampler sampler, IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = options.Value.MaxPendingAge;
        if (limit == TimeSpan.Zero)
        {
            return HealthCheckResult.Healthy("Off (PushListener:Health:MaxPendingAge is 00:00:00).");
        }

        InboxSnapshot? snapshot;
        try
        {
            snapshot = await sampler.GetAsync(options.Value.CacheDuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The inbox could not be read: " + ex.Message);
        }

        if (snapshot?.Stats.OldestPendingReceivedAt is not { } oldest)
        {
            return HealthCheckResult.Healthy("Nothing pending.");
        }

        var age = time.GetUtcNow() - oldest;
        var pending = (snapshot.Stats.Pending + snapshot.Stats.InFlight).ToString(CultureInfo.InvariantCulture);
        return age <= limit
            ? HealthCheckResult.Healthy($"{pending} pending, the oldest received {oldest:O}.")
            : new HealthCheckResult(context.Registration.FailureStatus, $"{pending} pending, the oldest received {oldest:O}, longer ago than PushListener:Health:MaxPendingAge ({limit}).");
    }
}
