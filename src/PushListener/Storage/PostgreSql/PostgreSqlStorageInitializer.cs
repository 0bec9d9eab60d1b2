namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Opens the shared database and migrates it to this binary's schema (<see cref="PostgreSqlMigrator"/>); an unreachable
/// database or a newer schema stops start-up with a message naming <c>ConnectionStrings:PushListener</c>.
/// </summary>
internal sealed partial class PostgreSqlStorageInitializer(PostgreSqlMigrator migrator, PostgreSqlDatabase database, ILogger<PostgreSqlStorageInitializer> logger) : IStorageInitializer
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var version = await migrator.MigrateAsync(PostgreSqlMigration.Embedded, cancellationToken).ConfigureAwait(false);
        Opened(logger, database.Target, version);
    }

    [LoggerMessage(901, LogLevel.Information, "Store: PostgreSQL {Target}, schema version {Version}")]
    private static partial void Opened(ILogger logger, string target, int version);
}
