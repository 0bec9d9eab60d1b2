using Npgsql;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL provider's settings: the <c>PushListener:Storage:PostgreSql</c> section, and the connection string
/// from <c>ConnectionStrings:PushListener</c>. Validated at start-up only when the provider is PostgreSql.
/// </summary>
public sealed class PostgreSqlStorageOptions : Hosting.IValidatedOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = StorageOptions.SectionName + ":PostgreSql";

    /// <summary>The name under <c>ConnectionStrings</c> of the shared database's connection string.</summary>
    public const string ConnectionStringName = "PushListener";

    /// <summary>The setting that holds the connection string, as error messages name it.</summary>
    public const string ConnectionStringSetting = "ConnectionStrings:" + ConnectionStringName;

    /// <summary>The PostgreSQL connection string (bound from <c>ConnectionStrings:PushListener</c>). Required.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How often the notification session and the session of a running job round (watchdog, retention, subscription
    /// manager) check their connection (also their TCP keepalive), and how long the notification session waits before
    /// reconnecting after losing it. It does not time a takeover: no instance leads between rounds (each round takes
    /// the job's lock and releases it), so when an instance dies the others run the job at their next scheduled round.
    /// Default 5 seconds.
    /// </summary>
    public TimeSpan ConnectionCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long opening a connection waits before calling the database unreachable (start-up, readiness). Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a statement may run before it is cancelled (Npgsql's <c>Command Timeout</c>, unless the connection string
    /// names one), and how long a push waits for its append before it is answered with a Server fault (Exchange sends it
    /// again; should the append still commit, the retry is a duplicate). Bounds every wait of normal operation on a database
    /// that stopped answering; schema migrations and their lock wait at start-up run without it (retention works in
    /// batches, so it needs no long statement). Default 10 seconds.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Errors, each naming the setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return $"{ConnectionStringSetting} is required when {StorageOptions.SectionName}:Provider is PostgreSql (for example Host=db.example.com;Database=pushlistener;Username=pushlistener;Password=...).";
        }
        else if (ParseError(ConnectionString) is { } error)
        {
            yield return $"{ConnectionStringSetting} is not a valid PostgreSQL connection string: {error}";
        }

        if (ConnectionCheckInterval < TimeSpan.FromMilliseconds(50) || ConnectionCheckInterval > TimeSpan.FromMinutes(5))
        {
            yield return $"{SectionName}:ConnectionCheckInterval must be between 00:00:00.050 and 00:05:00 (got {ConnectionCheckInterval}).";
        }

        if (ConnectTimeout < TimeSpan.FromSeconds(1) || ConnectTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{SectionName}:ConnectTimeout must be between 00:00:01 and 00:05:00 (got {ConnectTimeout}).";
        }

        // Whole seconds: Npgsql's Command Timeout takes seconds, and 0 would mean no limit at all.
        if (CommandTimeout < TimeSpan.FromSeconds(1) || CommandTimeout > TimeSpan.FromMinutes(10))
        {
            yield return $"{SectionName}:CommandTimeout must be between 00:00:01 and 00:10:00 (got {CommandTimeout}).";
        }
    }

    private static string? ParseError(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.Host) ? "it names no Host." : null;
        }
        catch (ArgumentException ex)
        {
            // The message names the offending keyword, never the password's value.
            return ex.Message;
        }
    }
}
