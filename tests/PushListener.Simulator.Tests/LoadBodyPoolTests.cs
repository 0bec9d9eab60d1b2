using PushListener.Protocol;
using PushListener.Simulator.Generation;
using PushListener.Simulator.Load;

namespace PushListener.Simulator.Tests;

public sealed class LoadBodyPoolTests
{
    [Fact]
    public void Build_ManyRequests_ParseWithWatermarksUniqueAcrossRequests()
    {
        var pool = new LoadBodyPool(new GeneratorOptions { Seed = 5 }, subscriptions: 16, DateTimeOffset.UnixEpoch);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var subscriptions = new HashSet<string>(StringComparer.Ordinal);

        for (var n = 0; n < 2_000; n++)
        {
            var notification = SendNotificationReader.Read(pool.Build(n)).Messages.Single().Notification!;
            subscriptions.Add(notification.SubscriptionId);
            // What a listener's dedupe looks at: subscription, PreviousWatermark, last watermark.
            Assert.True(keys.Add($"{notification.SubscriptionId}|{notification.PreviousWatermark}|{notification.LastWatermark}"));
            Assert.All(notification.Events, e => Assert.NotEqual(notification.PreviousWatermark, e.Watermark));
        }

        Assert.Equal(16, subscriptions.Count);
    }
}
