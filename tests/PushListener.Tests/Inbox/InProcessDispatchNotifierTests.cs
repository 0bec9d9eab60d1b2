using Microsoft.Extensions.Time.Testing;
using PushListener.Inbox;

namespace PushListener.Tests.Inbox;

public sealed class InProcessDispatchNotifierTests
{
    [Fact]
    public async Task Notify_BeforeTheWait_WakesItAtOnce_AndManyNotificationsWakeOnce()
    {
        var time = new FakeTimeProvider();
        using var notifier = new InProcessDispatchNotifier(time);

        notifier.Notify();
        notifier.Notify();
        notifier.Notify();

        Assert.True(await notifier.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
        var second = notifier.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await second);
    }

    [Fact]
    public async Task Notify_WhileWaiting_WakesTheWaiter()
    {
        using var notifier = new InProcessDispatchNotifier(new FakeTimeProvider());
        var waiting = notifier.WaitAsync(TimeSpan.FromMinutes(1), CancellationToken.None).AsTask();

        notifier.Notify();

        Assert.True(await waiting);
    }

    [Fact]
    public async Task Wait_TimedOut_DoesNotSwallowTheNextSignal()
    {
        var time = new FakeTimeProvider();
        using var notifier = new InProcessDispatchNotifier(time);
        var first = notifier.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await first);

        notifier.Notify();

        Assert.True(await notifier.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
    }
}
