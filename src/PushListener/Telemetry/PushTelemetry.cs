using System.Diagnostics;
using PushListener.Protocol;
using Serilog;

namespace PushListener.Telemetry;

/// <summary>
/// The endpoint's one seam to metrics, traces and the request log: <see cref="Start"/> when a request reaches
/// SendNotification, <see cref="Finish"/> once its answer is written. Finish records the push on
/// <c>pushlistener.push.received</c> and <c>pushlistener.push.duration</c>, tags the push Activity, and gives the request
/// log line its <c>SubscriptionId</c> and <c>Outcome</c> properties (read by <see cref="RequestLogLevels"/>).
/// </summary>
internal sealed class PushTelemetry(PushListenerMetrics metrics, IDiagnosticContext diagnostics, Health.InboxWriteState writes, TimeProvider time)
{
    private static readonly object ItemKey = new();

    public static PushObservation Start(HttpContext context)
    {
        var observation = new PushObservation(Stopwatch.GetTimestamp(), PushActivities.StartPush());
        context.Items[ItemKey] = observation;
        return observation;
    }

    /// <summary>The observation <see cref="Start"/> made for this request, until <see cref="Finish"/>.</summary>
    public static PushObservation? Observation(HttpContext context) => context.Items[ItemKey] as PushObservation;

    /// <summary>Records the answer; <paramref name="outcome"/> is a <see cref="PushOutcome"/> value (duplicate and refused are read from the observation).</summary>
    public void Finish(HttpContext context, SoapVersion? version, string outcome, string? subscriptionId)
    {
        if (context.Items[ItemKey] is not PushObservation observation)
        {
            return;
        }

        context.Items.Remove(ItemKey);
        if (outcome is PushOutcome.Ok or PushOutcome.Unsubscribe)
        {
            outcome = observation.Refused ? PushOutcome.Refused : observation.Duplicate ? PushOutcome.Duplicate : outcome;
        }

        context.Items[OutcomeKey] = outcome;
        if (outcome is PushOutcome.Ok or PushOutcome.Unsubscribe or PushOutcome.Duplicate)
        {
            writes.Taken();
        }

        var soap = version switch
        {
            SoapVersion.Soap11 => "1.1",
            SoapVersion.Soap12 => "1.2",
            _ => "unknown",
        };
        metrics.PushAnswered(soap, outcome, Stopwatch.GetElapsedTime(observation.StartTimestamp));
        diagnostics.Set("Outcome", outcome);
        if (subscriptionId is not null)
        {
            diagnostics.Set("SubscriptionId", subscriptionId);
        }

        if (observation.Activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("soap.version", soap);
            activity.SetTag("pushlistener.outcome", outcome);
            activity.SetTag("pushlistener.subscription.id", subscriptionId);
            activity.AddEvent(new ActivityEvent("replied"));
            if (outcome == PushOutcome.Fault)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }

        }

        observation.Activity?.Dispose();
    }

    /// <summary>The push could not be stored (the processor threw): readiness holds off until the store takes its size again.</summary>
    public void NotTaken(int bodyBytes, Exception error) => writes.Refused(bodyBytes, error, time.GetUtcNow());

    /// <summary>The key under which <see cref="Finish"/> leaves the outcome in <see cref="HttpContext.Items"/>.</summary>
    public static object OutcomeKey { get; } = new();

    /// <summary>The outcome of the push this request carried, or null when it was not a push.</summary>
    public static string? OutcomeOf(HttpContext context) => context.Items.TryGetValue(OutcomeKey, out var value) ? value as string : null;
}
