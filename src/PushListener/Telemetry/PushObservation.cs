using System.Diagnostics;

namespace PushListener.Telemetry;

/// <summary>
/// What telemetry notes about one push while it is handled: when it started, its Activity, and what the inbox made of
/// it. Created by <see cref="PushTelemetry.Start"/>; the inbox reports stored and duplicate messages here.
/// </summary>
internal sealed class PushObservation(long startTimestamp, Activity? activity)
{
    public long StartTimestamp { get; } = startTimestamp;

    public Activity? Activity { get; } = activity;

    /// <summary>Every message was a duplicate of one stored before.</summary>
    public bool Duplicate { get; private set; }

    /// <summary>Refused by the unknown-subscription policy: nothing stored.</summary>
    public bool Refused { get; private set; }

    /// <summary>Notes a phase of the push on its Activity (parsed, committed).</summary>
    public void Phase(string name)
    {
        if (Activity is { IsAllDataRequested: true } activity)
        {
            activity.AddEvent(new ActivityEvent(name));
        }
    }

    /// <summary>The inbox stored <paramref name="stored"/> messages and found <paramref name="duplicates"/> stored before.</summary>
    public void Stored(int stored, int duplicates)
    {
        Duplicate = stored == 0 && duplicates > 0;
        Phase("committed");
        if (Activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("pushlistener.notifications.stored", stored);
        }
    }

    public void RefusedUnknown() => Refused = true;
}
