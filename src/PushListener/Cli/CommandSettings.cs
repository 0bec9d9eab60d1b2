using PushListener.Inbox;
using PushListener.Inbox.Sqlite;

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

    /// <summary>Opens this installation's inbox, or writes why not to <paramref name="error"/> and returns null.</summary>
    public static async Task<SqliteInboxStore?> OpenInboxAsync(IReadOnlyList<string> settings, TextWriter error, CancellationToken cancellationToken)
    {
        var configuration = Read(settings);
        var options = new InboxOptions();
        configuration.GetSection(InboxOptions.SectionName).Bind(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            await error.WriteLineAsync(string.Join(Environment.NewLine, problems)).ConfigureAwait(false);
            return null;
        }

        var path = Path.Combine(Path.GetFullPath(options.DataFolder, Directory.GetCurrentDirectory()), "inbox.db");
        if (!File.Exists(path))
        {
            await error.WriteLineAsync($"No inbox at {path}: check PushListener:Inbox:DataFolder.").ConfigureAwait(false);
            return null;
        }

        var store = new SqliteInboxStore(path, options, TimeProvider.System);
        try
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
