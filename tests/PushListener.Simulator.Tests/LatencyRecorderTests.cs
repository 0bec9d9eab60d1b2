using PushListener.Simulator.Reporting;

namespace PushListener.Simulator.Tests;

public sealed class LatencyRecorderTests
{
    [Fact]
    public void Percentile_UniformMicroseconds_WithinBucketPrecision()
    {
        var recorder = new LatencyRecorder();
        for (var us = 1; us <= 100_000; us++)
        {
            recorder.Record(TimeSpan.FromMicroseconds(us));
        }

        Assert.InRange(recorder.Percentile(50).TotalMicroseconds, 50_000, 50_000 * 1.016);
        Assert.InRange(recorder.Percentile(99).TotalMicroseconds, 99_000, 99_000 * 1.016);
        Assert.Equal(100_000, recorder.Percentile(100).TotalMicroseconds);
        var summary = recorder.Summarize();
        Assert.Equal(100_000, summary.Count);
        Assert.Equal(0.001, summary.Min);
        Assert.Equal(100, summary.Max);
        Assert.InRange(summary.Mean, 49.9, 50.1);
    }

    [Fact]
    public void Percentile_Empty_IsZero()
    {
        Assert.Equal(TimeSpan.Zero, new LatencyRecorder().Percentile(99));
    }

    [Fact]
    public void Index_EveryMagnitude_IsMonotonicAndItsUpperEdgeCoversTheValue()
    {
        var last = -1;
        for (long v = 0; v < long.MaxValue / 32; v = (v * 17 / 16) + 1)
        {
            var index = LatencyRecorder.Index(v);
            Assert.True(index >= last);
            Assert.True(LatencyRecorder.UpperEdge(index) >= v);
            Assert.True(LatencyRecorder.UpperEdge(index) <= v + (v / 64) + 1);
            last = index;
        }
    }
}
