using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PushListener.Telemetry;

/// <summary>
/// The instruments of the <c>PushListener</c> meter, named and unit-ed after OpenTelemetry's semantic conventions
/// (docs/operations.md lists them). Components call the small methods here; the observable gauges (inbox depth,
/// subscriptions, feed backlog) read <see cref="InboxStatsSampler"/>. Recording costs next to nothing while no listener
/// (OpenTelemetry, <c>dotnet-counters</c>, a test's MetricCollector) is attached.
/// </summary>
internal sealed class PushListenerMetrics
{
    /// <summary>The meter's name, as exporters and <c>dotnet-counters</c> select it.</summary>
    public const string MeterName = "PushListener";

    // Seconds, from half a millisecond (a push answered from memory) to half a minute (a handler near its timeout).
    private static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly int[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    private readonly Counter<long> _pushes;
    private readonly Histogram<double> _pushDuration;
    private readonly Counter<long> _stored;
    private readonly Histogram<double> _handlerDuration;
    private readonly Counter<long> _handlerFailures;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _lifecycle;
    private readonly Histogram<int> _writerBatch;
    private readonly Histogram<double> _writerCommit;

    public PushListenerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(MeterName);
        _pushes = Meter.CreateCounter<long>("pushlistener.push.received", "{push}", "SendNotification requests, by SOAP version and outcome (ok, unsubscribe, fault, duplicate, refused).");
        _pushDuration = Meter.CreateHistogram("pushlistener.push.duration", "s", "Acknowledgement latency: from the request reaching the endpoint to the answer written, by SOAP version and outcome.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _stored = Meter.CreateCounter<long>("pushlistener.notifications.stored", "{notification}", "Notifications (messages of a push) newly stored in the inbox; duplicates are not counted.");
        _handlerDuration = Meter.CreateHistogram("pushlistener.handler.duration", "s", "Time a handler took with one notification, by handler and outcome (success, failure, timeout).", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _handlerFailures = Meter.CreateCounter<long>("pushlistener.handler.failures", "{failure}", "Handler runs that threw or timed out, by handler and error type.");
        _retries = Meter.CreateCounter<long>("pushlistener.delivery.retries", "{retry}", "Delivery attempts scheduled again after a handler failed.");
        _deadLettered = Meter.CreateCounter<long>("pushlistener.delivery.dead_lettered", "{entry}", "Inbox entries moved to the dead letters.");
        _lifecycle = Meter.CreateCounter<long>("pushlistener.lifecycle.events", "{event}", "Subscription lifecycle events delivered through the pipeline, by kind.");
        _writerBatch = Meter.CreateHistogram("pushlistener.inbox.writer.batch_size", "{write}", "Writes committed together by the inbox's group-commit writer.", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });
        _writerCommit = Meter.CreateHistogram("pushlistener.inbox.writer.commit.duration", "s", "Time of one group commit of the inbox's writer (the transaction and its fsync).", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        Meter.CreateObservableCounter("pushlistener.log.dropped", static () => LogDropMonitor.Instance.Dropped, "{event}", "Log events dropped because a log sink's queue was full (a slow console or file).");
    }

    /// <summary>The meter, for the observable instruments other classes add.</summary>
    public Meter Meter { get; }

    public void PushAnswered(string soapVersion, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "soap.version", soapVersion }, { "outcome", outcome } };
        _pushes.Add(1, tags);
        _pushDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void NotificationsStored(int count)
    {
        if (count > 0)
        {
            _stored.Add(count);
        }
    }

    public void HandlerRan(string handler, string outcome, string? errorType, TimeSpan elapsed)
    {
        _handlerDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("handler", handler), new KeyValuePair<string, object?>("outcome", outcome));
        if (errorType is not null)
        {
            _handlerFailures.Add(1, new KeyValuePair<string, object?>("handler", handler), new KeyValuePair<string, object?>("error.type", errorType));
        }
    }

    public void RetryScheduled() => _retries.Add(1);

    public void DeadLettered() => _deadLettered.Add(1);

    public void LifecycleEvent(string kind) => _lifecycle.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void WriterCommitted(int batchSize, TimeSpan elapsed)
    {
        _writerBatch.Record(batchSize);
        _writerCommit.Record(elapsed.TotalSeconds);
    }
}
