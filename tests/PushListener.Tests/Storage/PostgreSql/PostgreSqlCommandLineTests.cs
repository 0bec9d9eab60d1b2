using Microsoft.Extensions.DependencyInjection;
using PushListener.Cli;
using PushListener.Inbox;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>The command line on the shared database, beside a running instance.</summary>
public sealed class PostgreSqlCommandLineTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task DeadLetters_ListReplayPurge_OnTheSharedDatabase_WakeTheRunningInstance()
    {
        var connection = await server.CreateDatabaseAsync();
        var handler = new RecordingHandler("hook", _ => throw new HttpRequestException("down"));
        await using var factory = new ListenerFactory()
            .With("PushListener:Storage:Provider", "PostgreSql")
            .With("ConnectionStrings:PushListener", connection)
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
        string[] settings = ["--PushListener:Storage:Provider=PostgreSql", "--ConnectionStrings:PushListener=" + connection];

        var (code, output, _) = await Run(["deadletters", "list", .. settings]);
        Assert.Equal(0, code);
        Assert.Contains("2 dead letter(s)", output, StringComparison.Ordinal);
        var firstId = output.Split('\n')[1].Split('\t')[0];

        (code, output, _) = await Run(["deadletters", "replay", firstId, .. settings]);
        Assert.Equal(0, code);
        Assert.Contains("Replayed 1", output, StringComparison.Ordinal);

        // The running instance picks the replayed entry up (woken at the commit, or at its next poll) and fails again.
        await Eventually.TrueAsync(() => handler.Calls.Count == 3);
        await Eventually.TrueAsync(async () => (await store.GetStatsAsync(CancellationToken.None)).DeadLettered == 2);
        (code, output, _) = await Run(["deadletters", "purge", "--all", .. settings]);
        Assert.Equal(0, code);
        Assert.Contains("Purged 2", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableDatabase_ExitsWithTheSettingNamed()
    {
        var (code, _, error) = await Run(
            "inbox",
            "stats",
            "--PushListener:Storage:Provider=PostgreSql",
            $"--ConnectionStrings:PushListener=Host=127.0.0.1;Port={PostgreSqlMigratorTests.ClosedPort()};Username=postgres;Database=nowhere;Timeout=2");

        Assert.Equal(1, code);
        Assert.Contains("ConnectionStrings:PushListener", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await HostCommandLine.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
