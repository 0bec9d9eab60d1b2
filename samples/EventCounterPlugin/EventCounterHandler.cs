using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PushListener;

namespace EventCounterPlugin;

/// <summary>Counts notifications, events per kind and error pushes, per subscription.</summary>
internal sealed partial class EventCounterHandler : INotificationHandler, IDisposable
{
    private readonly ConcurrentDictionary<string, SubscriptionCounts> _counts = new(StringComparer.Ordinal);
    private readonly EventCounterOptions _options;
    private readonly ILogger<EventCounterHandler> _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private long _notifications;

    public EventCounterHandler(IOptions<EventCounterOptions> options, ILogger<EventCounterHandler> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public async ValueTask<HandlerResult> HandleAsync(NotificationContext context)
    {
        // Lifecycle events come only to handlers that ask for them in their filter; this one does not.
        if (context.Message is not { } message)
        {
            return HandlerResult.Continue;
        }

        // Error pushes carry their subscription id in MessageXml only; a sender that gave none is counted under "(none)".
        var counts = _counts.GetOrAdd(message.SubscriptionId ?? "(none)", static _ => new SubscriptionCounts());
        counts.Add(message);

        var total = Interlocked.Increment(ref _notifications);
        if (_options.LogEvery > 0 && total % _options.LogEvery == 0)
        {
            LogSummary(_logger, total, _counts.Count, _counts.Sum(c => c.Value.EventTotal));
        }

        if (_options.CountsFile is { Length: > 0 } file)
        {
            await WriteCountsAsync(file, context.CancellationToken).ConfigureAwait(false);
        }

        return HandlerResult.Continue;
    }

    public void Dispose() => _writeLock.Dispose();

    private async Task WriteCountsAsync(string file, CancellationToken cancellationToken)
    {
        // One writer at a time, each writing a complete snapshot: the last one to finish holds every count so far.
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var path = Path.GetFullPath(file);
            var temporary = path + ".tmp";
            var stream = File.Create(temporary);
            await using (stream.ConfigureAwait(false))
            {
                using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                writer.WriteStartObject();
                foreach (var (subscription, counts) in _counts.OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(subscription);
                    counts.WriteTo(writer);
                }

                writer.WriteEndObject();
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            // Replace in one step so that readers never see a half-written file.
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Event counter: {Notifications} notification(s), {Subscriptions} subscription(s), {Events} event(s)")]
    private static partial void LogSummary(ILogger logger, long notifications, int subscriptions, long events);

    /// <summary>One subscription's counters, updated lock-free.</summary>
    private sealed class SubscriptionCounts
    {
        private readonly long[] _byKind = new long[Enum.GetValues<EventKind>().Length];
        private long _notifications;
        private long _errors;

        public long EventTotal
        {
            get
            {
                long sum = 0;
                for (var i = 0; i < _byKind.Length; i++)
                {
                    sum += Interlocked.Read(ref _byKind[i]);
                }

                return sum;
            }
        }

        public void Add(NotificationMessage message)
        {
            Interlocked.Increment(ref _notifications);
            if (message.Notification is null)
            {
                Interlocked.Increment(ref _errors);
                return;
            }

            foreach (var notificationEvent in message.Notification.Events)
            {
                Interlocked.Increment(ref _byKind[(int)notificationEvent.Kind]);
            }
        }

        public void WriteTo(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteNumber("Notifications", Interlocked.Read(ref _notifications));
            writer.WriteNumber("Errors", Interlocked.Read(ref _errors));
            writer.WriteStartObject("Events");
            foreach (var kind in Enum.GetValues<EventKind>())
            {
                var count = Interlocked.Read(ref _byKind[(int)kind]);
                if (count > 0)
                {
                    writer.WriteNumber(kind.ToString(), count);
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }
}
