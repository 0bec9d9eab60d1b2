using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace PushListener.Storage.PostgreSql;

/// <summary>Readiness: unhealthy while the shared database does not answer, so load balancers send pushes elsewhere.</summary>
internal sealed class PostgreSqlHealthCheck(PostgreSqlDatabase database, PostgreSqlNotifier notifier) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgreSqlDatabase.IsUnavailable(ex))
        {
            return HealthCheckResult.Unhealthy($"The PostgreSQL database {database.Target} ({PostgreSqlStorageOptions.ConnectionStringSetting}) does not answer: {ex.Message}");
        }

        // Without its notification session an instance still works (it polls), only slower to hear other instances.
        return notifier.IsListening
            ? HealthCheckResult.Healthy($"PostgreSQL {database.Target}")
            : HealthCheckResult.Degraded($"PostgreSQL {database.Target} answers, but the notification session is reconnecting");
    }
}
