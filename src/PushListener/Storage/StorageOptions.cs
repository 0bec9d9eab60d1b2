namespace PushListener.Storage;

/// <summary>The <c>PushListener:Storage</c> section: where the inbox, registry and feeds live.</summary>
public sealed class StorageOptions : Hosting.IValidatedOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener:Storage";

    /// <summary>The SQLite provider's name (the default).</summary>
    public const string Sqlite = "Sqlite";

    /// <summary>The PostgreSQL provider's name.</summary>
    public const string PostgreSql = "PostgreSql";

    /// <summary>
    /// <c>Sqlite</c> (one process, a database file in <c>PushListener:Inbox:DataFolder</c>) or <c>PostgreSql</c> (several
    /// instances sharing one database, <c>ConnectionStrings:PushListener</c>). Default <c>Sqlite</c>.
    /// </summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>Errors, each naming the setting.</summary>
    public IEnumerable<string> Validate()
    {
        if (!StorageProviders.IsKnown(Provider))
        {
            yield return $"{SectionName}:Provider must be one of {string.Join(", ", StorageProviders.Names)} (got '{Provider}').";
        }
    }
}
