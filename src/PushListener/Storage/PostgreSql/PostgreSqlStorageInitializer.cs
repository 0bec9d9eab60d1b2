namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Opens the shared database and migrates it to this binary's schema (<see cref="PostgreSqlMigrator"/>); an unreachable
/// database or a newer schema stops start-up with a message naming <c>ConnectionStrings:PushListener</c> (a statement that
/// outlasted the statement timeout names <c>PushListener:Storage:PostgreSql:CommandTimeout</c>).
/// </summary>
internal sealed partial class PostgreSqlStorageInitializer(PostgreSqlMigrator migrator, PostgreSqlDatabase database, ILogger<PostgreSqlStorageInitializer> logger) : IStorageInitializer
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        int version;
        try
        {
            version = await migrator.MigrateAsync(PostgreSqlMigration.Embedded, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not StorageUnavailableException && PostgreSqlDatabase.IsUnavailable(ex) && !cancellationToken.IsCancellationRequested)
        {
            // Reached but not usable (no CREATE on the schema, a Search Path naming no schema, a statement timed out, ...): name the setting.
            throw database.Unusable(ex);
        }

        Opened(logger, database.Target, version);
    }

    [LoggerMessage(901, LogLevel.Information, "Store: PostgreSQL {Target}, schema version {Version}")]
    private static partial void Opened(ILogger logger, string target, int version);
}
