using PushListener.Simulator.Scheduling;

namespace PushListener.Simulator.Tests;

public sealed class RetryLadderTests
{
    [Theory]
    [InlineData(1, new[] { 0, 30 })]                                // 30 + 60 = 90 s > 60 s
    [InlineData(2, new[] { 0, 30, 60 })]                            // 90 s; + 120 = 210 s > 120 s
    [InlineData(10, new[] { 0, 30, 60, 120, 240 })]                 // 450 s; + 480 = 930 s > 600 s
    [InlineData(30, new[] { 0, 30, 60, 120, 240, 480 })]            // 930 s; + 960 = 1,890 s > 1,800 s
    public void Waits_StatusFrequency_ImmediateThenDoublingWithinTheBudget(int minutes, int[] seconds)
    {
        var waits = RetryLadder.Waits(TimeSpan.FromMinutes(minutes));

        Assert.Equal(seconds.Select(s => TimeSpan.FromSeconds(s)), waits);
    }

    [Fact]
    public void Waits_LargestStatusFrequency_NeverExceedsIt()
    {
        var waits = RetryLadder.Waits(TimeSpan.FromMinutes(1440));

        Assert.Equal(12, waits.Count);
        Assert.True(waits.Aggregate(TimeSpan.Zero, (a, b) => a + b) <= TimeSpan.FromMinutes(1440));
        Assert.Equal(TimeSpan.FromSeconds(30 * 1024), waits[^1]);
    }
}
