using System.Threading.Channels;
using PushListener.Protocol;
using PushListener.Simulator.Generation;
using PushListener.Simulator.Scheduling;
using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Exchange;

/// <summary>
/// One push subscription, pushed as Exchange pushes it: at once (the events after its start watermark, or a
/// StatusEvent), then each new event of the wanted kinds, a StatusEvent after StatusFrequency of quiet, every push
/// retried on Exchange's ladder with the same body; it ends on Unsubscribe, when the ladder runs out, or by a fault.
/// </summary>
internal sealed class FakeSubscription
{
    // One pending wake-up is enough: the loop looks at everything each time it wakes.
    private readonly Channel<byte> _wake = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly FakeMailbox _mailbox;
    private readonly IReadOnlySet<EventKind> _kinds;
    private long _cursor;
    private volatile bool _errorPushRequested;
    private int _pushes;

    public FakeSubscription(string id, FakeMailbox mailbox, Uri url, int statusFrequency, IReadOnlySet<EventKind> kinds, string serverVersion, string startWatermark, long cursor, DateTimeOffset createdAt)
    {
        Id = id;
        _mailbox = mailbox;
        Url = url;
        StatusFrequency = statusFrequency;
        _kinds = kinds;
        ServerVersion = serverVersion;
        StartWatermark = startWatermark;
        LastWatermark = startWatermark;
        _cursor = cursor;
        CreatedAt = createdAt;
    }

    public string Id { get; }

    public string Mailbox => _mailbox.Address;

    public Uri Url { get; }

    public int StatusFrequency { get; }

    public string ServerVersion { get; }

    /// <summary>The watermark it was created from (given, or the mailbox's newest).</summary>
    public string StartWatermark { get; }

    public DateTimeOffset CreatedAt { get; }

    public FakeSubscriptionState State { get; private set; } = FakeSubscriptionState.Active;

    /// <summary>The watermark of the last push the listener took.</summary>
    public string LastWatermark { get; private set; }

    /// <summary>Pushes the listener took.</summary>
    public int Pushes => _pushes;

    /// <summary>Stops pushing without a word, as Exchange does after a restart or failover.</summary>
    public void Drop()
    {
        if (State == FakeSubscriptionState.Active)
        {
            State = FakeSubscriptionState.Dropped;
        }

        Wake();
    }

    /// <summary>Sends an error push (ErrorReadEventsFailed) next, then ends.</summary>
    public void RequestErrorPush()
    {
        _errorPushRequested = true;
        Wake();
    }

    public void Wake() => _wake.Writer.TryWrite(0);

    public async Task RunAsync(ExchangeSender sender, FakeExchangeOptions options, CancellationToken stopping)
    {
        var time = sender.Time;
        var heartbeatEvery = options.Scale(TimeSpan.FromMinutes(StatusFrequency));
        var ladder = RetryLadder.Waits(TimeSpan.FromMinutes(StatusFrequency)).Select(options.Scale).ToArray();
        var first = true;
        var lastPushAt = time.GetTimestamp();
        _mailbox.Attach(this);
        try
        {
            while (!stopping.IsCancellationRequested && State == FakeSubscriptionState.Active)
            {
                if (_errorPushRequested)
                {
                    var body = PushBodyWriter.ErrorPush(SoapVersion.Soap11, ServerVersion, Id, LastWatermark);
                    if (await DeliverAsync(sender, body, ladder, stopping) && State == FakeSubscriptionState.Active)
                    {
                        State = FakeSubscriptionState.Failed;
                    }

                    return;
                }

                var events = _mailbox.EventsAfter(_cursor, options.MaxEventsPerPush, _kinds, out var next, out var more);
                if (events.Count > 0)
                {
                    var body = PushBodyWriter.Notification(SoapVersion.Soap11, ServerVersion, Id, LastWatermark, more, [.. events.Select(e => e.Event)], [.. events.Select(e => e.Watermark)], time.GetUtcNow());
                    if (!await DeliverAsync(sender, body, ladder, stopping))
                    {
                        return;
                    }

                    _cursor = next;
                    LastWatermark = events[^1].Watermark;
                    lastPushAt = time.GetTimestamp();
                    first = false;
                    continue;
                }

                _cursor = next;
                if (first || time.GetElapsedTime(lastPushAt) >= heartbeatEvery)
                {
                    if (_mailbox.Heartbeat(_cursor) is not { } heartbeat)
                    {
                        continue;
                    }

                    var body = PushBodyWriter.Notification(SoapVersion.Soap11, ServerVersion, Id, LastWatermark, false, [new GeneratedEvent(EventKind.Status)], [heartbeat.Watermark], time.GetUtcNow());
                    if (!await DeliverAsync(sender, body, ladder, stopping))
                    {
                        return;
                    }

                    _cursor = heartbeat.Counter;
                    LastWatermark = heartbeat.Watermark;
                    lastPushAt = time.GetTimestamp();
                    first = false;
                    continue;
                }

                await WaitAsync(heartbeatEvery - time.GetElapsedTime(lastPushAt), time, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            if (State == FakeSubscriptionState.Active)
            {
                State = FakeSubscriptionState.Stopped;
            }

            _mailbox.Detach(this);
        }
    }

    /// <summary>Sends until taken; false when the subscription ended (Unsubscribe, the ladder ran out, or it was dropped meanwhile).</summary>
    private async Task<bool> DeliverAsync(ExchangeSender sender, byte[] body, TimeSpan[] ladder, CancellationToken stopping)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                if (attempt > ladder.Length)
                {
                    State = FakeSubscriptionState.Dead;
                    return false;
                }

                if (ladder[attempt - 1] > TimeSpan.Zero)
                {
                    await Task.Delay(ladder[attempt - 1], sender.Time, stopping);
                }
            }

            if (State != FakeSubscriptionState.Active)
            {
                return false;
            }

            var result = await sender.SendAsync(Url, body, SoapVersion.Soap11, "utf-8", sender.Time.GetTimestamp(), captureReply: false, stopping);
            switch (result.Outcome)
            {
                case DeliveryOutcome.Ok:
                    Interlocked.Increment(ref _pushes);
                    return true;
                case DeliveryOutcome.Unsubscribe:
                    Interlocked.Increment(ref _pushes);
                    State = FakeSubscriptionState.Unsubscribed;
                    return false;
                default:
                    break;
            }
        }
    }

    /// <summary>Waits for <paramref name="wait"/> or a wake-up, whichever comes first.</summary>
    private async Task WaitAsync(TimeSpan wait, TimeProvider time, CancellationToken stopping)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var delay = Task.Delay(wait, time, either.Token);
        var woken = _wake.Reader.ReadAsync(either.Token).AsTask();
        await Task.WhenAny(delay, woken);
        await either.CancelAsync();
        stopping.ThrowIfCancellationRequested();
    }
}
