using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PushListener.Inbox;

namespace PushListener.Health;

/// <summary>
/// Ready only if the inbox takes writes: a probe write (<see cref="IEntryLog.ProbeAsync"/>, through the store's writer
/// like any append) must commit. After the store refused a push, the probe carries as many bytes as that
/// push had, and readiness returns only once it commits (the store can take that push now). A full disk, a full database,
/// a read-only file system or a broken database fail it. The result is reused for <see cref="HealthOptions.CacheDuration"/>.
/// </summary>
internal sealed class StoreWritableCheck(IEntryLog store, InboxWriteState writes, IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck, IDisposable
{
    private const int RowMargin = 64 * 1024;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, long Taken, HealthCheckResult Result)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            // A failure is reused only while no push has been stored since: one that was shows the store takes writes again.
            var taken = writes.TakenCount;
            if (_last is { } last && now - last.At < options.Value.CacheDuration && (last.Result.Status == HealthStatus.Healthy || last.Taken == taken))
            {
                return last.Result;
            }

            HealthCheckResult result;
            var refusal = writes.Outstanding;
            try
            {
                // A push takes more than its body (its entries, registry row and index pages): the probe carries that margin too.
                await store.ProbeAsync(refusal is null ? 0 : refusal.BodyBytes + RowMargin, cancellationToken).ConfigureAwait(false);
                if (refusal is not null)
                {
                    writes.Recovered(refusal);
                }

                result = HealthCheckResult.Healthy("The inbox takes writes.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var since = refusal is null ? string.Empty : $" (it refused a push of {refusal.BodyBytes} bytes at {refusal.At:O}: {refusal.Error})";
                result = new HealthCheckResult(context.Registration.FailureStatus, "The inbox does not take writes: " + ex.Message + since);
            }

            _last = (now, taken, result);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
