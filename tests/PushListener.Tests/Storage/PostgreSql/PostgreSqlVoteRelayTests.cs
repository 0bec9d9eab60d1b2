using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PushListener.Storage.PostgreSql;
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

        // Well inside the budget: the answer came from the vote, not from the budget running out.
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

    [Fact]
    public async Task UnsubscribeHeardOnAnotherInstance_LeavesNoStickyVote()
    {
        var connection = await server.CreateDatabaseAsync();
        var storedOnB = new RecordingStickyVoteStore();
        await using var a = Instance(connection);
        await using var b = Instance(connection).WithServices(storedOnB.Decorate);
        await ListeningAsync(a, b);
        var waiting = a.Services.GetRequiredService<ReplyDecision>();
        var subscription = PushBuilder.SubscriptionId(3);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var ballot = waiting.Open(["w:heard"]);
        var answer = waiting.DecideAsync(ballot, Pending(), refusedSome: false, bound.Token).AsTask();
        b.Services.GetRequiredService<ReplyDecision>().Report("w:heard", subscription, SubscriptionStatus.Unsubscribe, "rule");

        Assert.Equal(SubscriptionStatus.Unsubscribe, await answer.WaitAsync(bound.Token));

        // B stored the vote before relaying it, and A, which answered it, withdrew it: the next push is answered OK,
        // and the inbox's sticky-unsubscribe count shows only votes nobody heard.
        await storedOnB.Stored.WaitAsync(bound.Token);
        var votes = a.Services.GetRequiredService<IStickyVoteStore>();
        await Eventually.TrueAsync(async () => (await votes.ListAsync(CancellationToken.None)).Count == 0);
    }

    [Fact]
    public async Task PushesToOneInstance_RunOnTheOther_AnsweredUnsubscribe_LeaveNoStickyVotes()
    {
        const int Pushes = 12;
        var connection = await server.CreateDatabaseAsync();
        var storedOnB = new RecordingStickyVoteStore();
        var voterA = Unsubscriber();
        var voterB = Unsubscriber();
        await using var a = Instance(connection, voterA).WithServices(NonClaimingEntryLog.Decorate);
        await using var b = Instance(connection, voterB).WithServices(storedOnB.Decorate);
        await ListeningAsync(a, b);
        using var client = a.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);

        var answers = await Task.WhenAll(Enumerable.Range(1, Pushes).Select(async n =>
        {
            using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(100 + n), 1)));
            return Soap.StatusOf(await response.Content.ReadAsStringAsync());
        }));

        // Every entry ran on B, and each vote reached its request on A in time.
        Assert.All(answers, answer => Assert.Equal("Unsubscribe", answer));
        Assert.Equal(Pushes, voterB.Calls.Count);
        Assert.Empty(voterA.Calls);

        // B stored each vote before relaying it; A withdrew each one it answered: none is left to answer a next push.
        await Eventually.TrueAsync(() => storedOnB.StoredCount == Pushes);
        var votes = a.Services.GetRequiredService<IStickyVoteStore>();
        await Eventually.TrueAsync(async () => (await votes.ListAsync(CancellationToken.None)).Count == 0);
    }

    [Fact]
    public async Task UnsubscribeAfterTheWaitingRequestGaveUp_StaysSticky()
    {
        var connection = await server.CreateDatabaseAsync();
        var clockA = new TimerWatchingTimeProvider();
        var withdrawnOnA = new RecordingStickyVoteStore();
        await using var a = Instance(connection).WithServices(s =>
        {
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clockA));
            withdrawnOnA.Decorate(s);
        });
        var storedOnB = new RecordingStickyVoteStore();
        await using var b = Instance(connection).WithServices(storedOnB.Decorate);
        await ListeningAsync(a, b);
        var waiting = a.Services.GetRequiredService<ReplyDecision>();
        var subscription = PushBuilder.SubscriptionId(4);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var heardOnA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Subscribed after A's ReplyDecision: a subscriber runs after the ones before it, so once this one has the vote,
        // A's ReplyDecision has had it too.
        using var watch = a.Services.GetRequiredService<PostgreSqlNotifier>().Subscribe(PostgreSqlChannels.Votes, payload =>
        {
            if (PostgreSqlVoteRelay.Parse(payload) is ("w:late", _, _))
            {
                heardOnA.TrySetResult();
            }
        });

        var ballot = waiting.Open(["w:late"]);
        var answer = waiting.DecideAsync(ballot, Pending(), refusedSome: false, bound.Token).AsTask();
        await clockA.TimerCreated(Budget).WaitAsync(bound.Token);
        clockA.Advance(Budget);
        Assert.Equal(SubscriptionStatus.OK, await answer.WaitAsync(bound.Token));

        b.Services.GetRequiredService<ReplyDecision>().Report("w:late", subscription, SubscriptionStatus.Unsubscribe, "rule");
        await storedOnB.Stored.WaitAsync(bound.Token);
        await heardOnA.Task.WaitAsync(bound.Token);

        Assert.Equal(0, withdrawnOnA.Withdrawals);
        Assert.Equal("rule", (await withdrawnOnA.ListAsync(CancellationToken.None))[subscription]);
    }

    [Theory]
    [InlineData("w:sub-1\nwm-0\nwm-1", "sub-1", SubscriptionStatus.Unsubscribe)]
    [InlineData("h:0A1B:2", null, SubscriptionStatus.OK)]
    [InlineData("w:a:b", "a:b:c", SubscriptionStatus.Unsubscribe)]
    public void Payload_CarriesKeySubscriptionAndVote_Unambiguously(string dedupeKey, string? subscriptionId, SubscriptionStatus vote)
    {
        Assert.Equal((dedupeKey, subscriptionId, vote), PostgreSqlVoteRelay.Parse(PostgreSqlVoteRelay.Format(dedupeKey, subscriptionId, vote)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1:w:sub\nwm")] // an older build's payload
    [InlineData("7:0:w:x")]
    [InlineData("1:9:short")]
    [InlineData("1:5:sub-1")]
    public void Payload_Malformed_IsIgnored(string? payload) => Assert.Null(PostgreSqlVoteRelay.Parse(payload));

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(37);

    private static PushAppendResult Pending() => new([new MessageAppendResult(1, false, EntryState.Pending, null, false, null, 0)]);

    private static async Task ListeningAsync(params ListenerFactory[] instances)
    {
        foreach (var instance in instances)
        {
            _ = instance.CreateClient();
            await instance.Services.GetRequiredService<PostgreSqlNotifier>().Listening.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static RecordingHandler Unsubscriber() => new("voter", _ => ValueTask.FromResult(HandlerResult.Unsubscribe("rule"))) { MayUnsubscribe = true };

    private static ListenerFactory Instance(string connection, RecordingHandler? voter = null)
    {
        voter ??= new RecordingHandler("voter", _ => ValueTask.FromResult(HandlerResult.Continue)) { MayUnsubscribe = true };
        return new ListenerFactory()
            .With("PushListener:Storage:Provider", "PostgreSql")
            .With("ConnectionStrings:PushListener", connection)
            .With("PushListener:Inbox:ReplyBudget", "00:00:37")
            .WithServices(s => s.AddNotificationHandler(voter, o => o.Name = "voter"));
    }
}
