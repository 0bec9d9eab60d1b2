using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PushListener.Inbox;

namespace PushListener.Health;

/// <summary>
/// Ready only if the inbox takes writes: a probe write (a sticky vote for a reserved id, set and cleared, through the
/// store's writer like any append) must commit. A full disk, a read-only file system or a broken database fail it. The
/// result is reused for <see cref="HealthOptions.CacheDuration"/>.
/// </summary>
internal sealed class StoreWritableCheck(IInboxStore store, IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck, IDisposable
{
    /// <summary>The reserved subscription id of the probe; Exchange ids are base64 and never look like this.</summary>
    public const string ProbeId = "pushlistener:health-probe";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, HealthCheckResult Result)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (_last is { } last && now - last.At < options.Value.CacheDuration)
            {
                return last.Result;
            }

            HealthCheckResult result;
            try
            {
                await store.SetStickyVoteAsync(ProbeId, "health probe", cancellationToken).ConfigureAwait(false);
                await store.ClearStickyVoteAsync(ProbeId, cancellationToken).ConfigureAwait(false);
                result = HealthCheckResult.Healthy("The inbox takes writes.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                result = new HealthCheckResult(context.Registration.FailureStatus, "The inbox does not take writes: " + ex.Message);
            }

            _last = (now, result);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
