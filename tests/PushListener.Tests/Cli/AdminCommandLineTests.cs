using Microsoft.Extensions.DependencyInjection;
using PushListener.Cli;
using PushListener.Inbox;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Cli;

public sealed class AdminCommandLineTests
{
    [Fact]
    public async Task DeadLetters_ListReplayPurge_FromTheCommandLine()
    {
        var handler = new RecordingHandler("hook", _ => throw new HttpRequestException("down"));
        using var factory = new ListenerFactory()
            .With("PushListener:Inbox:MaxAttempts", "1")
            .With("PushListener:Handlers:log:Enabled", "false")
            .WithServices(s => s.AddNotificationHandler(handler, o => o.Name = "hook"));
        using var client = factory.CreateClient();
        for (var i = 1; i <= 2; i++)
        {
            using var _ = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(i), 1)));
        }

        var store = factory.Services.GetRequiredService<IEntryLog>();
        await Eventually.TrueAsync(async () => (await store.GetStatsAsync(CancellationToken.None)).DeadLettered == 2);
        var dataFolder = "--PushListener:Inbox:DataFolder=" + factory.DataFolder;

        var (code, output, _) = await Run("deadletters", "list", dataFolder);
        Assert.Equal(0, code);
        Assert.Contains("2 dead letter(s)", output, StringComparison.Ordinal);
        Assert.Contains("hook", output, StringComparison.Ordinal);
        var firstId = output.Split('\n')[1].Split('\t')[0];

        (code, output, _) = await Run("deadletters", "replay", firstId, dataFolder);
        Assert.Equal(0, code);
        Assert.Contains("Replayed 1", output, StringComparison.Ordinal);
        // The running service picks the replayed entry up (its handler fails again: a dead letter once more).
        await Eventually.TrueAsync(() => handler.Calls.Count == 3);
        await Eventually.TrueAsync(async () => (await store.GetStatsAsync(CancellationToken.None)).DeadLettered == 2);

        (code, output, _) = await Run("inbox", "stats", dataFolder);
        Assert.Equal(0, code);
        Assert.Contains("hook: 3 failure(s)", output, StringComparison.Ordinal);
        (code, output, _) = await Run("deadletters", "purge", "--all", dataFolder);
        Assert.Equal(0, code);
        Assert.Contains("Purged 2", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deadletters")]
    [InlineData("deadletters", "replay")]
    [InlineData("deadletters", "replay", "1", "--all")]
    [InlineData("deadletters", "explode", "1")]
    public async Task BadUsage_ExplainsAndExits1(params string[] args)
    {
        var (code, _, error) = await Run([.. args, "--PushListener:Inbox:DataFolder=" + await MakeEmptyInbox()]);
        Assert.Equal(1, code);
        Assert.NotEqual(string.Empty, error.Trim());
    }

    [Theory]
    [InlineData("replay")]
    [InlineData("purge")]
    public async Task UnknownId_IsAnErrorWithExit1(string command)
    {
        var (code, output, error) = await Run("deadletters", command, "999", "--PushListener:Inbox:DataFolder=" + await MakeEmptyInbox());
        Assert.Equal(1, code);
        Assert.Contains("No dead letter has id 999", error, StringComparison.Ordinal);
        Assert.DoesNotContain("0 dead letter", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("deadletters", "--help")]
    [InlineData("deadletters", "list", "--help")]
    [InlineData("deadletters", "replay", "--help")]
    [InlineData("deadletters", "purge", "--help")]
    [InlineData("inbox", "stats", "--help")]
    public async Task Help_DescribesTheCommandWithoutRunningIt(params string[] args)
    {
        var (code, output, _) = await Run(args);
        Assert.Equal(0, code);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoInbox_SaysWhereItLooked_AndHowToReachAPostgreSqlStore()
    {
        var missing = Path.Combine(Path.GetTempPath(), "pushlistener-tests", Guid.NewGuid().ToString("N"));
        var (code, _, error) = await Run("deadletters", "list", "--PushListener:Inbox:DataFolder=" + missing);
        Assert.Equal(1, code);
        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.Contains("PushListener:Storage:Provider=PostgreSql", error, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:PushListener", error, StringComparison.Ordinal);
    }

    private static async Task<string> MakeEmptyInbox()
    {
        using var factory = new ListenerFactory();
        using var client = factory.CreateClient();
        var copy = Path.Combine(Path.GetTempPath(), "pushlistener-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        await using (var database = new PushListener.Storage.Sqlite.SqliteDatabase(Path.Combine(copy, "inbox.db"), new InboxOptions(), TimeProvider.System, serveDataFolder: false))
        {
            await database.InitializeAsync(CancellationToken.None);
        }

        return copy;
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await HostCommandLine.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
