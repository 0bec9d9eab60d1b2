using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PushListener.Health;

/// <summary>
/// Wraps every registered check: it answers within <see cref="HealthOptions.CheckTimeout"/>, and whatever goes wrong in it
/// (an exception, a cancellation that is not the caller's, a store that does not answer even its cancellation) becomes the
/// registration's failure status with a reason, so readiness answers 503 in bounded time, never 500.
/// </summary>
internal sealed class BoundedHealthCheck(IHealthCheck inner, TimeSpan timeout, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var bound = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        try
        {
            // WaitAsync too: a check that ignores its token (a database client waiting for a cancel request a paused
            // server never answers) is left behind rather than waited for.
            var check = inner.CheckHealthAsync(context, linked.Token);
            // Left behind, it may still fail later: observed here, so that is not reported as an unobserved exception.
            _ = check.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return await check.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        // The host's own timeout may fire with this one (a busy machine): the answer still names the setting.
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"No answer within {HealthOptions.SectionName}:CheckTimeout ({timeout}).");
        }
#pragma warning disable CA1031 // A check that fails is a failed check, not a failed request.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            // The reason without the exception: probed every few seconds during an outage, a stack trace each time is noise.
            return new HealthCheckResult(context.Registration.FailureStatus, $"The check failed: {ex.Message}");
        }
    }
}
