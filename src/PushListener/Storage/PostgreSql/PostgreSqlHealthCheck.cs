using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PushListener.Inbox;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Readiness: unhealthy while the shared database does not take a write (the entry log's probe), so load balancers send
/// pushes to instances that can store them; meanwhile this instance answers pushes with Server faults.
/// </summary>
internal sealed class PostgreSqlHealthCheck(IEntryLog entries, PostgreSqlDatabase database, PostgreSqlNotifier notifier, IOptions<PostgreSqlStorageOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.ConnectTimeout);
            await entries.ProbeAsync(0, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgreSqlDatabase.IsUnavailable(ex) || ex is OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The PostgreSQL database {database.Target} ({PostgreSqlStorageOptions.ConnectionStringSetting}) does not answer: {ex.Message}");
        }

        // Without its notification session an instance still works (it polls), only slower to hear other instances.
        return notifier.IsListening
            ? HealthCheckResult.Healthy($"PostgreSQL {database.Target}")
            : HealthCheckResult.Degraded($"PostgreSQL {database.Target} answers, but the notification session is reconnecting");
    }
}
