using System.Diagnostics;

namespace PushListener.Telemetry;

/// <summary>
/// The <c>PushListener</c> activity source: one Activity per push (<c>SendNotification</c>, with events at parse, commit
/// and reply), one per delivery of a stored entry (linked to the push that brought it) and one per handler run. Activities
/// exist only while a listener (OpenTelemetry tracing) samples them.
/// </summary>
internal static class PushActivities
{
    /// <summary>The source's name, as <c>AddSource</c> selects it.</summary>
    public const string SourceName = "PushListener";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The push's Activity, a child of the request's.</summary>
    public static Activity? StartPush() => Source.StartActivity("SendNotification", ActivityKind.Internal);

    /// <summary>The delivery of one inbox entry through the pipeline, linked to the push that stored it when known.</summary>
    public static Activity? StartDelivery(long entryId, string? subscriptionId, int attempts, ActivityContext? push)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityLink[]? links = push is { } context && context != default ? [new ActivityLink(context)] : null;
        var activity = Source.StartActivity("Deliver", ActivityKind.Internal, parentContext: default, tags: null, links: links);
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
        var activity = Source.StartActivity("Handler " + handler, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("pushlistener.handler", handler);
            activity.SetTag("pushlistener.attempt", attempt);
        }

        return activity;
    }
}
