using Npgsql;

namespace PushListener.Storage;

/// <summary>The <c>PushListener:Storage</c> section, with the connection string from <c>ConnectionStrings:PushListener</c>.</summary>
public sealed class StorageOptions : Hosting.IValidatedOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener:Storage";

    /// <summary>The name under <c>ConnectionStrings</c> of the shared database's connection string.</summary>
    public const string ConnectionStringName = "PushListener";

    /// <summary>The setting that holds the connection string, as error messages name it.</summary>
    public const string ConnectionStringSetting = "ConnectionStrings:" + ConnectionStringName;

    /// <summary>Where everything is stored. Default <see cref="StorageProvider.Sqlite"/>.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>The PostgreSQL connection string (from <c>ConnectionStrings:PushListener</c>); required for <see cref="StorageProvider.PostgreSql"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The <c>PushListener:Storage:PostgreSql</c> section.</summary>
    public PostgreSqlStorageOptions PostgreSql { get; set; } = new();

    /// <summary>Errors, each naming the setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Enum.IsDefined(Provider))
        {
            yield return $"{SectionName}:Provider must be Sqlite or PostgreSql (got {Provider}).";
        }

        if (Provider != StorageProvider.PostgreSql)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return $"{ConnectionStringSetting} is required when {SectionName}:Provider is PostgreSql (for example Host=db.example.com;Database=pushlistener;Username=pushlistener;Password=...).";
        }
        else if (ParseError(ConnectionString) is { } error)
        {
            yield return $"{ConnectionStringSetting} is not a valid PostgreSQL connection string: {error}";
        }

        foreach (var error in PostgreSql.Validate($"{SectionName}:PostgreSql"))
        {
            yield return error;
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

/// <summary>The <c>PushListener:Storage:PostgreSql</c> section: how instances share one PostgreSQL database.</summary>
public sealed class PostgreSqlStorageOptions
{
    /// <summary>
    /// How often the notifier and the leadership connection check their dedicated connection, and how long they wait
    /// before reconnecting after losing it. A leader that died is replaced within about twice this. Default 5 seconds.
    /// </summary>
    public TimeSpan ConnectionCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a start-up or readiness probe waits for the database before calling it unreachable. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Errors, each naming the setting.</summary>
    public IEnumerable<string> Validate(string path)
    {
        if (ConnectionCheckInterval < TimeSpan.FromMilliseconds(50) || ConnectionCheckInterval > TimeSpan.FromMinutes(5))
        {
            yield return $"{path}:ConnectionCheckInterval must be between 00:00:00.050 and 00:05:00 (got {ConnectionCheckInterval}).";
        }

        if (ConnectTimeout < TimeSpan.FromSeconds(1) || ConnectTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{path}:ConnectTimeout must be between 00:00:01 and 00:05:00 (got {ConnectTimeout}).";
        }
    }
}
