using Serilog.Sinks.Async;

namespace PushListener.Telemetry;

/// <summary>
/// Watches the background queues of asynchronous log sinks (the console's, and any <c>Async</c> sink in
/// <c>Serilog:WriteTo</c> given <c>"monitor": "PushListener.Telemetry.LogDropMonitor::Instance, PushListener"</c>). A
/// slow sink makes its queue fill; events past it are dropped rather than making requests wait, and the drops are
/// counted: <see cref="Dropped"/> feeds the <c>pushlistener.log.dropped</c> metric.
/// </summary>
public sealed class LogDropMonitor : IAsyncLogEventSinkMonitor
{
    private readonly List<IAsyncLogEventSinkInspector> _inspectors = [];
    private long _droppedByStopped;

    /// <summary>The process-wide monitor (log sinks are created before dependency injection exists).</summary>
    public static LogDropMonitor Instance { get; } = new();

    /// <summary>Log events dropped by every watched queue since the process started.</summary>
    public long Dropped
    {
        get
        {
            lock (_inspectors)
            {
                var total = _droppedByStopped;
                foreach (var inspector in _inspectors)
                {
                    total += inspector.DroppedMessagesCount;
                }

                return total;
            }
        }
    }

    /// <inheritdoc/>
    public void StartMonitoring(IAsyncLogEventSinkInspector inspector)
    {
        lock (_inspectors)
        {
            _inspectors.Add(inspector);
        }
    }

    /// <inheritdoc/>
    public void StopMonitoring(IAsyncLogEventSinkInspector inspector)
    {
        ArgumentNullException.ThrowIfNull(inspector);
        lock (_inspectors)
        {
            if (_inspectors.Remove(inspector))
            {
                _droppedByStopped += inspector.DroppedMessagesCount;
            }
        }
    }
}
