using PushListener.Inbox;

namespace PushListener.Tests.Storage;

/// <summary>Sticky votes' contract (<see cref="IStickyVoteStore"/>): kept until the subscription's next push takes them, once.</summary>
public abstract class StickyVoteStoreContract : StoreContract
{
    [Fact]
    public async Task Set_IsListedUntilAPushOfTheSubscriptionTakesIt()
    {
        await Storage.StickyVotes.SetAsync(Sub(1), "rule: spam", CancellationToken.None);

        Assert.Equal("rule: spam", (await Storage.StickyVotes.ListAsync(CancellationToken.None))[Sub(1)]);
        var first = await AppendOneAsync(Message(Sub(1), 1));
        var second = await AppendOneAsync(Message(Sub(1), 2));

        Assert.True(first.Unsubscribe);
        Assert.Equal("rule: spam", first.UnsubscribeReason);
        Assert.False(second.Unsubscribe);
        Assert.Empty(await Storage.StickyVotes.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Set_OtherSubscriptionsPushes_DoNotTakeIt()
    {
        await Storage.StickyVotes.SetAsync(Sub(1), null, CancellationToken.None);

        var other = await AppendOneAsync(Message(Sub(2), 1));

        Assert.False(other.Unsubscribe);
        Assert.True((await Storage.StickyVotes.ListAsync(CancellationToken.None)).ContainsKey(Sub(1)));
    }

    [Fact]
    public async Task Withdraw_ForgetsTheVote_SoTheNextPushIsNotAnsweredUnsubscribe()
    {
        await Storage.StickyVotes.SetAsync(Sub(1), "rule: spam", CancellationToken.None);
        await Storage.StickyVotes.SetAsync(Sub(2), "rule: spam", CancellationToken.None);

        await Storage.StickyVotes.WithdrawAsync(Sub(1), CancellationToken.None);
        await Storage.StickyVotes.WithdrawAsync(Sub(3), CancellationToken.None);

        Assert.Equal([Sub(2)], (await Storage.StickyVotes.ListAsync(CancellationToken.None)).Keys);
        Assert.False((await AppendOneAsync(Message(Sub(1), 1))).Unsubscribe);
        Assert.True((await AppendOneAsync(Message(Sub(2), 1))).Unsubscribe);
    }

    [Fact]
    public async Task Set_Twice_KeepsOneVoteWithTheLatestReason()
    {
        await Storage.StickyVotes.SetAsync(Sub(1), "first", CancellationToken.None);
        await Storage.StickyVotes.SetAsync(Sub(1), "second", CancellationToken.None);

        var votes = await Storage.StickyVotes.ListAsync(CancellationToken.None);

        Assert.Equal("second", Assert.Single(votes).Value);
    }
}
