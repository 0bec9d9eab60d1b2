using PushListener.Inbox;

namespace PushListener.Tests.Storage;

/// <summary>The dead letters' contract (<see cref="IDeadLetterStore"/>): listed with their failures, replayed in place, purged.</summary>
public abstract class DeadLetterStoreContract : StoreContract
{
    [Fact]
    public async Task List_ShowsTheLastErrorAndTheFailedHandlers()
    {
        var entry = await DeadLetterAsync(Sub(1), 1);

        var letter = Assert.Single(await Storage.DeadLetters.ListAsync(10, CancellationToken.None));

        Assert.Equal(entry, letter.Id);
        Assert.Equal(Sub(1), letter.SubscriptionId);
        Assert.Equal(3, letter.Attempts);
        Assert.Equal("webhook: 503", letter.LastError);
        Assert.Equal(["webhook"], letter.FailedHandlers);
        Assert.Equal(Time.GetUtcNow(), letter.DeadAt);
    }

    [Fact]
    public async Task Replay_KeepsTheEntryIdAndRunsOnlyTheHandlersThatFailed()
    {
        var entry = await DeadLetterAsync(Sub(1), 1);

        Assert.Equal(1, await Storage.DeadLetters.ReplayAsync(entry, CancellationToken.None));

        var claimed = Assert.Single(await ClaimAsync("b"));
        Assert.Equal(entry, claimed.Id);
        Assert.Equal(0, claimed.Attempts);
        Assert.Equal(["log"], claimed.SucceededHandlers);
        Assert.Empty(await Storage.DeadLetters.ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task Replay_All_MakesEveryDeadLetterPending()
    {
        await DeadLetterAsync(Sub(1), 1);
        await DeadLetterAsync(Sub(2), 1);

        Assert.Equal(2, await Storage.DeadLetters.ReplayAsync(null, CancellationToken.None));

        Assert.Equal(2, (await ClaimAsync("b")).Count);
    }

    [Fact]
    public async Task Replay_UnknownId_ChangesNothing()
    {
        var entry = await DeadLetterAsync(Sub(1), 1);

        Assert.Equal(0, await Storage.DeadLetters.ReplayAsync(entry + 1000, CancellationToken.None));

        Assert.Single(await Storage.DeadLetters.ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task Purge_DeletesDeadLettersOnly()
    {
        var dead = await DeadLetterAsync(Sub(1), 1);
        await AppendOneAsync(Message(Sub(2), 1));

        Assert.Equal(1, await Storage.DeadLetters.PurgeAsync(dead, CancellationToken.None));

        Assert.Empty(await Storage.DeadLetters.ListAsync(10, CancellationToken.None));
        var stats = await Storage.EntryLog.GetStatsAsync(CancellationToken.None);
        Assert.Equal((1L, 0L), (stats.Pending, stats.DeadLettered));
    }

    [Fact]
    public async Task Purge_All_DeletesEveryDeadLetter()
    {
        await DeadLetterAsync(Sub(1), 1);
        await DeadLetterAsync(Sub(2), 1);

        Assert.Equal(2, await Storage.DeadLetters.PurgeAsync(null, CancellationToken.None));

        Assert.Empty(await Storage.DeadLetters.ListAsync(10, CancellationToken.None));
    }

    /// <summary>An entry whose <c>log</c> handler succeeded and whose <c>webhook</c> failed three times.</summary>
    private async Task<long> DeadLetterAsync(string subscription, int sequence)
    {
        var entry = (await AppendOneAsync(Message(subscription, sequence))).EntryId;
        await Storage.EntryLog.ClaimAsync("a", 100, TimeSpan.FromSeconds(30), CancellationToken.None);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            // The first attempt runs both handlers; retries run only the one that failed.
            HandlerAttempt[] handlers = attempt == 1 ? [new("log", true, null), new("webhook", false, "503")] : [new("webhook", false, "503")];
            await Storage.EntryLog.RecordAttemptAsync(entry, attempt, handlers, CancellationToken.None);
        }

        await Storage.EntryLog.DeadLetterAsync(entry, 3, "webhook: 503", CancellationToken.None);
        return entry;
    }
}
