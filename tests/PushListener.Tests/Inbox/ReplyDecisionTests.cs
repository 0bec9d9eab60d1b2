using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PushListener.Inbox;
using PushListener.Storage.Sqlite;
using PushListener.Tests.Infrastructure;
using PushListener.Tests.Plugins;

namespace PushListener.Tests.Inbox;

/// <summary>What Exchange hears and when: through the real HTTP pipeline and the real inbox.</summary>
public sealed class ReplyDecisionTests
{
    [Fact]
    public async Task NoHandlerMayVote_AnswerGoesAtCommit_WithoutWaitingForHandlers()
    {
        var release = new TaskCompletionSource<HandlerResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new RecordingHandler("slow", _ => new ValueTask<HandlerResult>(release.Task));
        using var factory = new ListenerFactory()
            .With("PushListener:Inbox:ReplyBudget", "00:01:00")
            .WithServices(s => s.AddNotificationHandler(slow, o => o.Name = "slow"));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 1)));

        // Answered while the handler is still running (a one-minute budget would otherwise hold the answer).
        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        Assert.False(release.Task.IsCompleted);
        await Eventually.TrueAsync(() => slow.Calls.Count == 1);
        release.SetResult(HandlerResult.Continue);
    }

    [Fact]
    public async Task UndeclaredVoter_FirstPushAnsweredOk_ItsVoteGoesOutOnTheNextPush()
    {
        var voter = new RecordingHandler("voter", c => ValueTask.FromResult(PushBuilder.SequenceOf(c.Message!) == 1 ? HandlerResult.Unsubscribe("not ours") : HandlerResult.Continue));
        using var factory = new ListenerFactory().WithServices(s => s.AddNotificationHandler(voter, o => o.Name = "voter"));
        using var client = factory.CreateClient();
        var subscription = PushBuilder.SubscriptionId(2);
        var votes = factory.Services.GetRequiredService<IStickyVoteStore>();

        using var first = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 1)));
        Assert.Equal("OK", Soap.StatusOf(await first.Content.ReadAsStringAsync()));
        await Eventually.TrueAsync(async () => (await votes.ListAsync(CancellationToken.None)).ContainsKey(subscription));

        using var second = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 2)));
        using var third = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 3)));

        Assert.Equal("Unsubscribe", Soap.StatusOf(await second.Content.ReadAsStringAsync()));
        Assert.Equal("OK", Soap.StatusOf(await third.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task DeclaredVoter_VoteIsInTheAnswer_AndTheSamePushAgainIsAnsweredTheSame()
    {
        var voter = new RecordingHandler("voter", _ => ValueTask.FromResult(HandlerResult.Unsubscribe("rule"))) { MayUnsubscribe = true };
        using var factory = new ListenerFactory().WithServices(s => s.AddNotificationHandler(voter, o => o.Name = "voter"));
        using var client = factory.CreateClient();
        var body = PushBuilder.NewMail(PushBuilder.SubscriptionId(3), 1);

        using var first = await client.SendAsync(Soap.Post(body));
        Assert.Equal("Unsubscribe", Soap.StatusOf(await first.Content.ReadAsStringAsync()));
        var entries = factory.Services.GetRequiredService<IEntryLog>();
        await Eventually.TrueAsync(async () => (await entries.GetStatsAsync(CancellationToken.None)).Done == 1);
        using var again = await client.SendAsync(Soap.Post(body));

        Assert.Equal("Unsubscribe", Soap.StatusOf(await again.Content.ReadAsStringAsync()));
        Assert.Single(voter.Calls);
    }

    [Fact]
    public async Task DuplicatePush_IsLoggedAtDebugWithTheSubscription()
    {
        var capture = new LogCapture();
        using var factory = new ListenerFactory().WithServices(s => s.AddSingleton<ILoggerProvider>(capture));
        using var client = factory.CreateClient();
        var subscription = PushBuilder.SubscriptionId(4);
        var body = PushBuilder.NewMail(subscription, 1);

        using (await client.SendAsync(Soap.Post(body)))
        using (await client.SendAsync(Soap.Post(body)))
        {
        }

        var duplicate = Assert.Single(capture.Entries, e => e.EventId == 330);
        Assert.Equal(LogLevel.Debug, duplicate.Level);
        Assert.Contains(subscription, duplicate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushOfManyMessages_StoresItsBodyOnce()
    {
        using var factory = new ListenerFactory().With("PushListener:Handlers:log:Enabled", "false");
        using var client = factory.CreateClient();
        var body = ManyMessages(PushBuilder.SubscriptionId(5), 100);

        using var response = await client.SendAsync(Soap.Post(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = factory.Services.GetRequiredService<IEntryLog>();
        var stats = await entries.GetStatsAsync(CancellationToken.None);
        Assert.Equal(100, stats.Pending + stats.InFlight + stats.Done);
        await using var connection = await factory.Services.GetRequiredService<SqliteDatabase>().OpenReadAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), sum(length(body)) FROM push_bodies";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((1L, (long)body.Length), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    /// <summary>One push carrying <paramref name="count"/> messages of one subscription's watermark chain.</summary>
    internal static byte[] ManyMessages(string subscription, int count)
    {
        var one = Encoding.UTF8.GetString(PushBuilder.NewMail(subscription, 1));
        var start = one.IndexOf("<m:SendNotificationResponseMessage", StringComparison.Ordinal);
        var end = one.IndexOf("</m:ResponseMessages>", StringComparison.Ordinal);
        var messages = new StringBuilder();
        for (var seq = 1; seq <= count; seq++)
        {
            var single = Encoding.UTF8.GetString(PushBuilder.NewMail(subscription, seq));
            messages.Append(single, start, single.IndexOf("</m:ResponseMessages>", StringComparison.Ordinal) - start);
        }

        return Encoding.UTF8.GetBytes(one[..start] + messages + one[end..]);
    }
}
