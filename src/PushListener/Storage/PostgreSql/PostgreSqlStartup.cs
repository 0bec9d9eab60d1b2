namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Migrates the shared database before any hosted service starts (<see cref="IHostedLifecycleService.StartingAsync"/>
/// runs before every <c>StartAsync</c>), so stores never see an old schema; an unreachable database or a newer schema
/// stops start-up here with a message naming the setting.
/// </summary>
internal sealed partial class PostgreSqlStartup(PostgreSqlMigrator migrator, PostgreSqlDatabase database, ILogger<PostgreSqlStartup> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var version = await migrator.MigrateAsync(PostgreSqlMigration.Embedded, cancellationToken).ConfigureAwait(false);
        Opened(logger, database.Target, version);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(901, LogLevel.Information, "Store: PostgreSQL {Target}, schema version {Version}")]
    private static partial void Opened(ILogger logger, string target, int version);
}
