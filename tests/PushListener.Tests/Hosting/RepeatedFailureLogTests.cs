using Microsoft.Extensions.Time.Testing;
using PushListener.Hosting;

namespace PushListener.Tests.Hosting;

public sealed class RepeatedFailureLogTests
{
    [Fact]
    public void Outage_FirstInFull_ThenASummaryAMinute_ThenOneRecovery()
    {
        var time = new FakeTimeProvider();
        var log = new RepeatedFailureLog(time, TimeSpan.FromMinutes(1));
        var levels = new List<FailureLogLevel>();

        // A failure a second for two minutes and a half.
        for (var second = 0; second < 150; second++)
        {
            levels.Add(log.Failed(out _, out _));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(FailureLogLevel.First, levels[0]);
        Assert.Equal(2, levels.Count(l => l == FailureLogLevel.Summary));
        Assert.Equal(147, levels.Count(l => l == FailureLogLevel.Repeat));
        Assert.True(log.Succeeded(out var failures, out var lasted));
        Assert.Equal(150, failures);
        Assert.Equal(TimeSpan.FromSeconds(150), lasted);
        Assert.False(log.Succeeded(out _, out _));

        // The next outage starts afresh, with its first failure in full.
        Assert.Equal(FailureLogLevel.First, log.Failed(out var again, out _));
        Assert.Equal(1, again);
    }

    [Fact]
    public void FailuresThatComeAndGo_OneOutageLoggedAMinute_TheFlapsAtDebugAndEndingQuietly()
    {
        var time = new FakeTimeProvider();
        var log = new RepeatedFailureLog(time, TimeSpan.FromMinutes(1));
        var levels = new List<FailureLogLevel>();
        var recoveries = 0;

        // Fails, works, fails, works... every five seconds for two minutes and a half (three writers sharing one log
        // during a flapping outage look like this).
        for (var second = 0; second < 150; second += 5)
        {
            levels.Add(log.Failed(out _, out _));
            time.Advance(TimeSpan.FromSeconds(2));
            recoveries += log.Succeeded(out _, out _) ? 1 : 0;
            time.Advance(TimeSpan.FromSeconds(3));
        }

        // Full at 0 s, 60 s and 120 s; each of those three outages ends with one line; the other 27 flaps stay at Debug.
        Assert.Equal(3, levels.Count(l => l == FailureLogLevel.First));
        Assert.Equal(27, levels.Count(l => l == FailureLogLevel.Repeat));
        Assert.Equal(3, recoveries);
    }

    [Fact]
    public void AFlapThatLasts_GetsItsSummaryAnIntervalAfterTheLastFullLine_AndOneRecovery()
    {
        var time = new FakeTimeProvider();
        var log = new RepeatedFailureLog(time, TimeSpan.FromMinutes(1));
        Assert.Equal(FailureLogLevel.First, log.Failed(out _, out _));
        Assert.True(log.Succeeded(out _, out _));

        // Fails again 5 s later (a flap, at Debug), and then every second until 130 s.
        time.Advance(TimeSpan.FromSeconds(5));
        var levels = new List<(int Second, FailureLogLevel Level)>();
        for (var second = 5; second <= 130; second++)
        {
            levels.Add((second, log.Failed(out _, out _)));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(FailureLogLevel.Repeat, levels[0].Level);
        Assert.Equal([60, 120], levels.Where(l => l.Level == FailureLogLevel.Summary).Select(l => l.Second));
        Assert.True(log.Succeeded(out _, out _));
    }

    [Fact]
    public void ASuccessThatBeganBeforeTheOutage_DoesNotEndIt()
    {
        var time = new FakeTimeProvider();
        var log = new RepeatedFailureLog(time, TimeSpan.FromMinutes(1));
        var inFlightSince = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(FailureLogLevel.First, log.Failed(out _, out _));

        // A request already in flight when the store went down succeeds just after: the outage goes on.
        Assert.False(log.Succeeded(out _, out _, inFlightSince));
        Assert.Equal(FailureLogLevel.Repeat, log.Failed(out var failures, out _));
        Assert.Equal(2, failures);
        Assert.True(log.Succeeded(out _, out _, time.GetUtcNow()));
    }

    [Fact]
    public void NoOutage_SucceededSaysNothing()
    {
        var log = new RepeatedFailureLog(new FakeTimeProvider(), TimeSpan.FromMinutes(1));

        Assert.False(log.Succeeded(out _, out _));
    }
}
