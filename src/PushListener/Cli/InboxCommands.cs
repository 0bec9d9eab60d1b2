using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace PushListener.Cli;

/// <summary><c>deadletters list|replay|purge</c> and <c>inbox stats</c>: admin operations on this installation's inbox.</summary>
internal static class InboxCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command DeadLetters(IReadOnlyList<string> settings)
    {
        var json = new Option<bool>("--json") { Description = "Write JSON instead of lines." };
        var max = new Option<int>("--max") { Description = "Most dead letters to list.", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "List dead letters, oldest first: id, received, attempts, subscription, failed handlers, last error.") { max, json };
        list.SetAction((parse, token) => WithInbox(parse, settings, async (store, output, error) =>
        {
            var letters = await store.DeadLetters.ListAsync(parse.GetValue(max), token).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(letters, Json)).ConfigureAwait(false);
                return 0;
            }

            await output.WriteLineAsync($"{letters.Count} dead letter(s)").ConfigureAwait(false);
            foreach (var letter in letters)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{letter.Id}\t{letter.ReceivedAt:u}\t{letter.Attempts} attempt(s)\t{letter.SubscriptionId}\t{string.Join(',', letter.FailedHandlers)}\t{letter.LastError}")).ConfigureAwait(false);
            }

            return 0;
        }, token));

        var command = new Command("deadletters", "Inspect, replay or purge the inbox's dead letters (works whether or not the service runs; a running service picks replayed entries up within a second).")
        {
            list,
            ReplayOrPurge("replay", "Make a dead letter pending again (handlers that had succeeded are not run again).", settings),
            ReplayOrPurge("purge", "Delete a dead letter for good.", settings),
        };
        return command;
    }

    public static Command Inbox(IReadOnlyList<string> settings)
    {
        var json = new Option<bool>("--json") { Description = "Write JSON instead of lines." };
        var stats = new Command("stats", "Inbox depth (pending, in flight, done, dead letters, sticky unsubscribes) and failures per handler.") { json };
        stats.SetAction((parse, token) => WithInbox(parse, settings, async (store, output, error) =>
        {
            var figures = await store.Entries.GetStatsAsync(token).ConfigureAwait(false);
            var sticky = (await store.StickyVotes.ListAsync(token).ConfigureAwait(false)).Count;
            if (parse.GetValue(json))
            {
                // The same shape as the admin API's GET /admin/inbox/stats.
                var view = new { figures.Pending, figures.InFlight, figures.Done, DeadLetters = figures.DeadLettered, figures.OldestPendingReceivedAt, StickyUnsubscribes = sticky, figures.Handlers };
                await output.WriteLineAsync(JsonSerializer.Serialize(view, Json)).ConfigureAwait(false);
                return 0;
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"pending {figures.Pending}, in flight {figures.InFlight}, done {figures.Done}, dead letters {figures.DeadLettered}, sticky unsubscribes {sticky}, oldest pending {(figures.OldestPendingReceivedAt is { } oldest ? oldest.ToString("u", CultureInfo.InvariantCulture) : "none")}")).ConfigureAwait(false);
            foreach (var handler in figures.Handlers)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {handler.Handler}: {handler.Failures} failure(s), last {handler.LastFailedAt:u}: {handler.LastError}")).ConfigureAwait(false);
            }

            return 0;
        }, token));

        return new Command("inbox", "Inspect the inbox.") { stats };
    }

    private static Command ReplayOrPurge(string name, string description, IReadOnlyList<string> settings)
    {
        var id = new Argument<long?>("id") { Description = "The dead letter's id (from 'deadletters list').", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Every dead letter." };
        var command = new Command(name, description) { id, all };
        command.Validators.Add(result =>
        {
            var hasId = result.GetResult(id) is { Tokens.Count: > 0 };
            if (hasId == result.GetResult(all) is { Implicit: false })
            {
                result.AddError("Give a dead letter id or --all (one of them).");
            }
        });
        command.SetAction((parse, token) => WithInbox(parse, settings, async (store, output, error) =>
        {
            var entry = parse.GetValue(id);
            var replay = name == "replay";
            var count = replay
                ? await store.DeadLetters.ReplayAsync(entry, token).ConfigureAwait(false)
                : await store.DeadLetters.PurgeAsync(entry, token).ConfigureAwait(false);
            if (entry is { } one && count == 0)
            {
                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"No dead letter has id {one}; 'deadletters list' shows them.")).ConfigureAwait(false);
                return 1;
            }

            await output.WriteLineAsync($"{(replay ? "Replayed" : "Purged")} {count} dead letter(s).").ConfigureAwait(false);
            return 0;
        }, token));
        return command;
    }

    private static async Task<int> WithInbox(ParseResult parse, IReadOnlyList<string> settings, Func<CommandStores, TextWriter, TextWriter, Task<int>> action, CancellationToken token)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            await using var store = await CommandSettings.OpenInboxAsync(settings, error, token).ConfigureAwait(false);
            return store is null ? 1 : await action(store, output, error).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException or Storage.StorageUnavailableException)
        {
            await error.WriteLineAsync("The inbox could not be read or written: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
