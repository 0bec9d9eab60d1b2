using System.Diagnostics;

namespace PushListener.Telemetry;

/// <summary>
/// The <c>PushListener</c> activity source: one Activity per push (<c>SendNotification</c>, with events at parse, commit
/// and reply), one per delivery of a stored entry (a child of the push that brought it, and linked to it) and one per
/// handler run. Activities exist only while a listener (OpenTelemetry tracing) samples them, and none is made under a
/// parent that is not recorded: an unsampled push costs no more than a single unrecorded request activity.
/// </summary>
internal static class PushActivities
{
    /// <summary>The source's name, as <c>AddSource</c> selects it.</summary>
    public const string SourceName = "PushListener";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The push's Activity, a child of the request's.</summary>
    public static Activity? StartPush() =>
        Activity.Current is { IsAllDataRequested: false } ? null : Source.StartActivity("SendNotification", ActivityKind.Internal);

    /// <summary>
    /// The delivery of one inbox entry through the pipeline: in the trace of the push that stored it and linked to it (so
    /// the push's sampling decision holds for its delivery), or a trace of its own when the push is not known (an entry
    /// recovered after a restart or replayed).
    /// </summary>
    public static Activity? StartDelivery(long entryId, string? subscriptionId, int attempts, ActivityContext? push)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var parent = push ?? default;
        ActivityLink[]? links = parent != default ? [new ActivityLink(parent)] : null;
        var activity = Source.StartActivity("Deliver", ActivityKind.Internal, parentContext: parent, tags: null, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("pushlistener.entry.id", entryId);
            activity.SetTag("pushlistener.subscription.id", subscriptionId);
            activity.SetTag("pushlistener.entry.attempts", attempts);
        }

        return activity;
    }

    /// <summary>One handler's run for one notification.</summary>
    public static Activity? StartHandler(string handler, int attempt)
    {
        if (Activity.Current is not { IsAllDataRequested: true })
        {
            // Handler runs are traced inside a traced delivery only.
            return null;
        }

        var activity = Source.StartActivity("Handler " + handler, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("pushlistener.handler", handler);
            activity.SetTag("pushlistener.attempt", attempt);
        }

        return activity;
    }
}
