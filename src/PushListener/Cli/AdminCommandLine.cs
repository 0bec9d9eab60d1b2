using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Inbox;
using PushListener.Storage;

namespace PushListener.Cli;

/// <summary>
/// <c>PushListener deadletters list|replay|purge</c> and <c>PushListener inbox stats</c>: the admin operations on the
/// inbox of this installation, from the command line, whether or not the service is running (SQLite WAL lets both work on
/// the database; a running service picks replayed entries up within a second).
/// </summary>
internal static class AdminCommandLine
{
    private const string Usage = """
        Usage:
          PushListener deadletters list [--max N] [--json]
          PushListener deadletters replay (ID | --all)
          PushListener deadletters purge (ID | --all)
          PushListener inbox stats [--json]
        Settings (data folder and so on) come from appsettings.json, environment variables and --Key=Value arguments, as for the service.
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>True when <paramref name="args"/> name an admin command rather than starting the service.</summary>
    public static bool Handles(string[] args) => args.Length > 0 && args[0] is "deadletters" or "inbox";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var settings = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray();
        var words = args.Except(settings).ToList();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = settings });
        var options = new InboxOptions();
        builder.Configuration.GetSection(InboxOptions.SectionName).Bind(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            await error.WriteLineAsync(string.Join(Environment.NewLine, problems)).ConfigureAwait(false);
            return 2;
        }

        var storage = new StorageOptions();
        builder.Configuration.GetSection(StorageOptions.SectionName).Bind(storage);
        problems.AddRange(storage.Validate());
        if (problems.Count > 0)
        {
            await error.WriteLineAsync(string.Join(Environment.NewLine, problems)).ConfigureAwait(false);
            return 2;
        }

        if (string.Equals(storage.Provider, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            var path = Path.Combine(Path.GetFullPath(options.DataFolder, builder.Environment.ContentRootPath), "inbox.db");
            if (!File.Exists(path))
            {
                await error.WriteLineAsync($"No inbox at {path}: check {InboxOptions.SectionName}:DataFolder.").ConfigureAwait(false);
                return 1;
            }
        }

        // The same role stores the service uses, from the configured provider, opened beside a service that may be running.
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(builder.Environment);
        services.AddSingleton<IHostEnvironment>(builder.Environment);
        services.AddSingleton(new AdminToolAccess());
        services.AddLogging();
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(Options.Create(storage));
        StorageProviders.UseConfigured(new PushListenerBuilder(services, builder.Configuration));
        await using var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<IStorageInitializer>().InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            return await RunAsync(provider.GetRequiredService<IEntryLog>(), provider.GetRequiredService<IDeadLetterStore>(), provider.GetRequiredService<IStickyVoteStore>(), words, output, error).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or StorageUnavailableException)
        {
            await error.WriteLineAsync("The inbox could not be read or written: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> RunAsync(IEntryLog entries, IDeadLetterStore deadLetters, IStickyVoteStore votes, List<string> words, TextWriter output, TextWriter error)
    {
        var json = words.Remove("--json");
        var command = string.Join(' ', words.Take(2));
        var argument = words.Skip(2).FirstOrDefault();
        switch (command)
        {
            case "deadletters list":
            {
                var max = argument == "--max" && int.TryParse(words.ElementAtOrDefault(3), CultureInfo.InvariantCulture, out var m) ? m : 100;
                var letters = await deadLetters.ListAsync(max, CancellationToken.None).ConfigureAwait(false);
                if (json)
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(letters, Json)).ConfigureAwait(false);
                }
                else
                {
                    await output.WriteLineAsync($"{letters.Count} dead letter(s)").ConfigureAwait(false);
                    foreach (var letter in letters)
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{letter.Id}\t{letter.ReceivedAt:u}\t{letter.Attempts} attempt(s)\t{letter.SubscriptionId}\t{string.Join(',', letter.FailedHandlers)}\t{letter.LastError}")).ConfigureAwait(false);
                    }
                }

                return 0;
            }

            case "deadletters replay" or "deadletters purge" when argument is not null:
            {
                long? id = null;
                if (argument != "--all")
                {
                    if (!long.TryParse(argument, CultureInfo.InvariantCulture, out var parsed))
                    {
                        await error.WriteLineAsync($"'{argument}' is not a dead letter id; use an id from 'deadletters list' or --all.").ConfigureAwait(false);
                        return 2;
                    }

                    id = parsed;
                }

                var replay = command == "deadletters replay";
                var count = replay
                    ? await deadLetters.ReplayAsync(id, CancellationToken.None).ConfigureAwait(false)
                    : await deadLetters.PurgeAsync(id, CancellationToken.None).ConfigureAwait(false);
                await output.WriteLineAsync($"{(replay ? "Replayed" : "Purged")} {count} dead letter(s).").ConfigureAwait(false);
                return id is not null && count == 0 ? 1 : 0;
            }

            case "inbox stats":
            {
                var stats = await entries.GetStatsAsync(CancellationToken.None).ConfigureAwait(false);
                var sticky = (await votes.ListAsync(CancellationToken.None).ConfigureAwait(false)).Count;
                if (json)
                {
                    var view = new { stats.Pending, stats.InFlight, stats.Done, DeadLetters = stats.DeadLettered, stats.OldestPendingReceivedAt, StickyUnsubscribes = sticky, stats.Handlers };
                    await output.WriteLineAsync(JsonSerializer.Serialize(view, Json)).ConfigureAwait(false);
                }
                else
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"pending {stats.Pending}, in flight {stats.InFlight}, done {stats.Done}, dead letters {stats.DeadLettered}, sticky unsubscribes {sticky}, oldest pending {stats.OldestPendingReceivedAt:u}")).ConfigureAwait(false);
                    foreach (var handler in stats.Handlers)
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {handler.Handler}: {handler.Failures} failure(s), last {handler.LastFailedAt:u}: {handler.LastError}")).ConfigureAwait(false);
                    }
                }

                return 0;
            }

            default:
                await error.WriteLineAsync(Usage).ConfigureAwait(false);
                return 2;
        }
    }
}
