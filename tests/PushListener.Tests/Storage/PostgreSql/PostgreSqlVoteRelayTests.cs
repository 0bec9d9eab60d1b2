using Microsoft.Extensions.DependencyInjection;
using PushListener.Inbox;
using PushListener.Tests.Infrastructure;
using PushListener.Tests.Plugins;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>A push waits for its vote on one instance while another instance's dispatcher ran its entry.</summary>
public sealed class PostgreSqlVoteRelayTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task VoteReportedOnAnotherInstance_ReachesTheWaitingRequest()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = Instance(connection);
        await using var b = Instance(connection);
        await ListeningAsync(a, b);
        var waiting = a.Services.GetRequiredService<ReplyDecision>();
        var running = b.Services.GetRequiredService<ReplyDecision>();
        Assert.True(waiting.AwaitsVotes);

        var ballot = waiting.Open(["w:relayed"]);
        var appended = new PushAppendResult([new MessageAppendResult(1, false, EntryState.Pending, null, false, null, 0)]);
        var answer = waiting.DecideAsync(ballot, appended, refusedSome: false, CancellationToken.None).AsTask();
        running.Report("w:relayed", PushBuilder.SubscriptionId(1), SubscriptionStatus.Unsubscribe, "rule");

        // Well inside the one-minute budget: the answer came from the vote, not from the budget running out.
        Assert.Equal(SubscriptionStatus.Unsubscribe, await answer.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task OkVoteFromAnotherInstance_EndsTheWaitEarly()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var a = Instance(connection);
        await using var b = Instance(connection);
        await ListeningAsync(a, b);
        var waiting = a.Services.GetRequiredService<ReplyDecision>();

        var ballot = waiting.Open(["w:ok"]);
        var appended = new PushAppendResult([new MessageAppendResult(1, false, EntryState.Pending, null, false, null, 0)]);
        var answer = waiting.DecideAsync(ballot, appended, refusedSome: false, CancellationToken.None).AsTask();
        b.Services.GetRequiredService<ReplyDecision>().Report("w:ok", PushBuilder.SubscriptionId(2), SubscriptionStatus.OK, null);

        Assert.Equal(SubscriptionStatus.OK, await answer.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    private static async Task ListeningAsync(params ListenerFactory[] instances)
    {
        foreach (var instance in instances)
        {
            _ = instance.CreateClient();
            await instance.Services.GetRequiredService<PushListener.Storage.PostgreSql.PostgreSqlNotifier>().Listening.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static ListenerFactory Instance(string connection)
    {
        var voter = new RecordingHandler("voter", _ => ValueTask.FromResult(HandlerResult.Continue)) { MayUnsubscribe = true };
        return new ListenerFactory()
            .With("PushListener:Storage:Provider", "PostgreSql")
            .With("ConnectionStrings:PushListener", connection)
            .With("PushListener:Inbox:ReplyBudget", "00:01:00")
            .WithServices(s => s.AddNotificationHandler(voter, o => o.Name = "voter"));
    }
}
