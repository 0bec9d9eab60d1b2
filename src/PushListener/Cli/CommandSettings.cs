using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Inbox;
using PushListener.Storage;

namespace PushListener.Cli;

/// <summary>
/// The settings a command works with, read the way the service reads them (appsettings.json and
/// appsettings.{Environment}.json in the current folder, environment variables, <c>--Section:Key=Value</c> arguments), without
/// building a host: a command answers in about a second.
/// </summary>
internal static class CommandSettings
{
    public static IConfiguration Read(IEnumerable<string> settingTokens)
    {
        var root = Directory.GetCurrentDirectory();
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
        return new ConfigurationBuilder()
            .SetBasePath(root)
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
            .AddJsonFile($"appsettings.{environment}.json", optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine([.. settingTokens])
            .Build();
    }

    /// <summary>Opens this installation's role stores, or writes why not to <paramref name="error"/> and returns null.</summary>
    public static async Task<CommandStores?> OpenInboxAsync(IReadOnlyList<string> settings, TextWriter error, CancellationToken cancellationToken)
    {
        var configuration = Read(settings);
        var options = new InboxOptions();
        configuration.GetSection(InboxOptions.SectionName).Bind(options);
        var storage = new StorageOptions();
        configuration.GetSection(StorageOptions.SectionName).Bind(storage);
        var problems = options.Validate().Concat(storage.Validate()).ToList();
        if (problems.Count > 0)
        {
            await error.WriteLineAsync(string.Join(Environment.NewLine, problems)).ConfigureAwait(false);
            return null;
        }

        // Resolved here against the current folder (the content root the service would have), so the provider needs no host.
        options.DataFolder = Path.GetFullPath(options.DataFolder, Directory.GetCurrentDirectory());
        if (string.Equals(storage.Provider, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            var path = Path.Combine(options.DataFolder, "inbox.db");
            if (!File.Exists(path))
            {
                // A shared store is easy to forget on the command line: the service reads it from its own settings.
                await error.WriteLineAsync(
                    $"No inbox at {path}: check {InboxOptions.SectionName}:DataFolder, or, for a service on PostgreSQL, set " +
                    $"{StorageOptions.SectionName}:Provider={StorageOptions.PostgreSql} and {Storage.PostgreSql.PostgreSqlStorageOptions.ConnectionStringSetting}.").ConfigureAwait(false);
                return null;
            }
        }

        // The same role stores the service uses, from the configured provider, opened as an admin tool (no data-folder lock).
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new AdminToolAccess());
        services.AddLogging();
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(Options.Create(storage));
        StorageProviders.UseConfigured(new PushListenerBuilder(services, configuration));
        var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<IStorageInitializer>().InitializeAsync(cancellationToken).ConfigureAwait(false);
            return new CommandStores(provider);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
