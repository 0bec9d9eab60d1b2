using PushListener.Simulator.Generation;
using PushListener.Simulator.Reporting;
using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Scheduling;

/// <summary>How a subscription's run ended.</summary>
internal enum SubscriptionEnd
{
    /// <summary>Still alive when the run stopped (possibly in the middle of its retry ladder).</summary>
    Active,

    /// <summary>The listener answered Unsubscribe.</summary>
    Unsubscribed,

    /// <summary>The retry budget (StatusFrequency) ran out: Exchange drops the subscription.</summary>
    Dead,

    /// <summary>Exchange sent an error push (ErrorReadEventsFailed): the subscription must be created again.</summary>
    ErrorPush,
}

/// <summary>One subscription at the end of a run.</summary>
internal sealed record SubscriptionResult(string SubscriptionId, SubscriptionEnd End, int Pushes, string LastWatermark);

/// <summary>
/// One subscription played as Exchange plays it: a StatusEvent at once, then mailbox activity (Poisson arrivals) and a
/// StatusEvent whenever nothing was sent for StatusFrequency; each push in order, the next only after the previous was
/// taken; MoreEvents bursts back to back; failures retried on the <see cref="RetryLadder"/> with the same body.
/// </summary>
internal sealed class SubscriptionSimulation
{
    // Long waits are cut into pieces so that Task.Delay's limit (about 49 days) is never reached at large time scales.
    private static readonly TimeSpan LongestDelay = TimeSpan.FromHours(1);

    private readonly SubscriptionStream _stream;
    private readonly ScenarioOptions _options;
    private readonly ExchangeSender _sender;
    private readonly ScenarioStats _stats;
    private readonly Random _random;
    private readonly TimeSpan[] _retryWaits;

    public SubscriptionSimulation(SubscriptionStream stream, ScenarioOptions options, ExchangeSender sender, ScenarioStats stats, Random random)
    {
        _stream = stream;
        _options = options;
        _sender = sender;
        _stats = stats;
        _random = random;
        _retryWaits = [.. RetryLadder.Waits(options.StatusFrequency).Select(options.Scale)];
    }

    public SubscriptionEnd End { get; private set; }

    public SubscriptionResult Result => new(_stream.SubscriptionId, End, _stream.PushCount, _stream.LastWatermark);

    /// <summary>
    /// Plays until the subscription ends or <paramref name="stopping"/> fires. A POST in flight when it fires is finished
    /// (within the request timeout); <paramref name="aborting"/> cancels that too.
    /// </summary>
    public async Task RunAsync(CancellationToken stopping, CancellationToken aborting)
    {
        var time = _sender.Time;
        var origin = time.GetTimestamp();
        TimeSpan Now() => time.GetElapsedTime(origin);
        try
        {
            // Exchange pushes a StatusEvent as soon as the subscription is created.
            if (!await DeliverAsync(_stream.Heartbeat(time.GetUtcNow()), stopping, aborting))
            {
                return;
            }

            var heartbeatEvery = _options.Scale(_options.StatusFrequency);
            var lastPushAt = Now();
            var nextActionAt = Now() + NextActionGap();
            while (!stopping.IsCancellationRequested)
            {
                var heartbeatAt = lastPushAt + heartbeatEvery;
                var dueAt = nextActionAt < heartbeatAt ? nextActionAt : heartbeatAt;
                var wait = dueAt - Now();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait < LongestDelay ? wait : LongestDelay, time, stopping);
                    continue;
                }

                IReadOnlyList<GeneratedPush> pushes;
                if (_options.ErrorPushProbability > 0 && _random.NextDouble() < _options.ErrorPushProbability)
                {
                    var delivered = await DeliverAsync(_stream.ErrorPush(), stopping, aborting);
                    End = delivered ? SubscriptionEnd.ErrorPush : End;
                    return;
                }

                if (nextActionAt <= heartbeatAt)
                {
                    pushes = _stream.NextActivity(time.GetUtcNow());
                    nextActionAt = Now() + NextActionGap();
                }
                else
                {
                    pushes = [_stream.Heartbeat(time.GetUtcNow())];
                }

                foreach (var push in pushes)
                {
                    // MoreEvents: the rest of a burst follows at once, each after the previous was taken.
                    if (!await DeliverAsync(push, stopping, aborting))
                    {
                        return;
                    }
                }

                lastPushAt = Now();
            }
        }
        // Either token: a cancelled send can surface before the stopping token (linked to the aborting one, whose
        // callbacks CancelAsync runs one after another on another thread) says it is cancelled.
        catch (OperationCanceledException) when (stopping.IsCancellationRequested || aborting.IsCancellationRequested)
        {
            // The run is over; the subscription stays Active.
        }
        finally
        {
            _stats.Ended(End);
        }
    }

    /// <summary>Sends until taken; false when the subscription ended (Unsubscribe or dead).</summary>
    private async Task<bool> DeliverAsync(GeneratedPush push, CancellationToken stopping, CancellationToken aborting)
    {
        _stats.PushGenerated(push);
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                if (attempt > _retryWaits.Length)
                {
                    End = SubscriptionEnd.Dead;
                    return false;
                }

                var wait = _retryWaits[attempt - 1];
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _sender.Time, stopping);
                }

                stopping.ThrowIfCancellationRequested();
            }

            var result = await _sender.SendAsync(_options.Url, push, aborting);
            _stats.Attempted(result, retry: attempt > 0);
            switch (result.Outcome)
            {
                case DeliveryOutcome.Ok:
                    return true;
                case DeliveryOutcome.Unsubscribe:
                    End = SubscriptionEnd.Unsubscribed;
                    return false;
                default:
                    break;
            }
        }
    }

    private TimeSpan NextActionGap()
    {
        if (_options.ActionsPerMinute <= 0)
        {
            return TimeSpan.MaxValue / 4; // never, and still safe to add to
        }

        // Exponential gaps: mailbox actions as a Poisson process in Exchange time.
        var seconds = -Math.Log(1 - _random.NextDouble()) * 60 / _options.ActionsPerMinute;
        return _options.Scale(TimeSpan.FromSeconds(seconds));
    }
}
