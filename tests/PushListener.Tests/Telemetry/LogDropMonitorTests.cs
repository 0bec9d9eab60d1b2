using Serilog;
using Serilog.Core;
using Serilog.Events;
using PushListener.Telemetry;

namespace PushListener.Tests.Telemetry;

/// <summary>A sink slower than the log: events past its queue are dropped without waiting, and every drop is counted.</summary>
public sealed class LogDropMonitorTests
{
    [Fact]
    public void SlowSink_DropsPastTheQueue_AndCountsEveryDrop()
    {
        var monitor = new LogDropMonitor();
        using var release = new ManualResetEventSlim();
        var slow = new BlockingSink(release);
        var logger = new LoggerConfiguration()
            .WriteTo.Async(a => a.Sink(slow), bufferSize: 10, blockWhenFull: false, monitor: monitor)
            .CreateLogger();

        for (var i = 0; i < 100; i++)
        {
            logger.Information("event {Index}", i);
        }

        var dropped = monitor.Dropped;
        release.Set();
        logger.Dispose();

        // The sink holds one event, the queue ten: the rest were dropped, and each drop was counted.
        Assert.InRange(dropped, 100 - 10 - 1, 100 - 10);
        Assert.Equal(100, slow.Written + dropped);
        Assert.Equal(dropped, monitor.Dropped);
    }

    private sealed class BlockingSink(ManualResetEventSlim release) : ILogEventSink
    {
        private int _written;

        public long Written => Volatile.Read(ref _written);

        public void Emit(LogEvent logEvent)
        {
            release.Wait();
            Interlocked.Increment(ref _written);
        }
    }
}
