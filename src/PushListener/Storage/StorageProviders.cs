using PushListener.Hosting;

namespace PushListener.Storage;

/// <summary>
/// The storage providers <c>PushListener:Storage:Provider</c> can name, each with the builder extension that registers
/// its role stores (<c>UseSqliteStorage</c>, ...). A provider is added here with one line.
/// </summary>
internal static class StorageProviders
{
    private static readonly Dictionary<string, Action<IPushListenerBuilder>> Providers = new(StringComparer.OrdinalIgnoreCase)
    {
        [StorageOptions.Sqlite] = static builder => Sqlite.SqliteStorageBuilderExtensions.UseSqliteStorage(builder),
        [StorageOptions.PostgreSql] = static builder => PostgreSql.PostgreSqlStorageBuilderExtensions.UsePostgreSqlStorage(builder),
    };

    public static IEnumerable<string> Names => Providers.Keys;

    public static bool IsKnown(string? name) => name is not null && Providers.ContainsKey(name);

    /// <summary>Registers the provider configuration names (unknown names are left to options validation to report).</summary>
    public static void UseConfigured(IPushListenerBuilder builder)
    {
        var name = builder.Configuration[StorageOptions.SectionName + ":Provider"] ?? StorageOptions.Sqlite;
        if (Providers.TryGetValue(name, out var use))
        {
            use(builder);
        }
    }
}
