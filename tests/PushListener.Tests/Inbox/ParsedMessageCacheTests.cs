using System.Globalization;
using PushListener.Inbox;

namespace PushListener.Tests.Inbox;

public sealed class ParsedMessageCacheTests
{
    private static NotificationMessage Message(string code) => new(ResponseClass.Error, code, null, null, null, null);

    [Fact]
    public void TryTake_AfterOffer_ReturnsTheSameInstanceOnce()
    {
        var cache = new ParsedMessageCache();
        var message = Message("ErrorA");

        cache.Offer("k1", message);

        Assert.True(cache.TryTake("k1", out var taken));
        Assert.Same(message, taken);
        Assert.False(cache.TryTake("k1", out _));
    }

    [Fact]
    public void Offer_SameKeyTwice_KeepsTheFirst_AndWithdrawDropsIt()
    {
        var cache = new ParsedMessageCache();
        var first = Message("ErrorA");
        cache.Offer("k1", first);
        cache.Offer("k1", Message("ErrorB"));

        Assert.True(cache.TryTake("k1", out var taken));
        Assert.Same(first, taken);

        cache.Offer("k2", first);
        cache.Withdraw("k2");
        Assert.False(cache.TryTake("k2", out _));
    }

    [Fact]
    public void Offer_BeyondItsBound_DropsTheOldestFirst()
    {
        var cache = new ParsedMessageCache();
        var message = Message("ErrorA");
        for (var i = 0; i < 10_000; i++)
        {
            cache.Offer(i.ToString(CultureInfo.InvariantCulture), message);
        }

        Assert.False(cache.TryTake("0", out _));
        Assert.False(cache.TryTake("5000", out _));
        Assert.True(cache.TryTake("9999", out _));
        Assert.True(cache.TryTake("7000", out _));
    }
}
