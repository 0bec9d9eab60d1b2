namespace PushListener.Subscriptions.Management;

/// <summary>What a managed registration needs now.</summary>
internal enum KeepAliveAction
{
    /// <summary>Subscribe (again), from <see cref="KeepAliveStep.Watermark"/> when there is one.</summary>
    Subscribe,

    /// <summary>Stop: the subscription was ended by an Unsubscribe answer, so keeping it alive would fight that decision.</summary>
    Stop,
}

/// <summary>A decision of <see cref="KeepAliveRules.Next"/>.</summary>
/// <param name="Action">What to do.</param>
/// <param name="Reason"><c>initial</c>, <c>silent</c>, <c>stale</c>, <c>failed</c>, <c>gap</c>, <c>forced</c>, <c>retry</c>, <c>invalidWatermark</c>; or why it stops.</param>
/// <param name="Watermark">Where the new subscription resumes; null: from now.</param>
internal sealed record KeepAliveStep(KeepAliveAction Action, string Reason, string? Watermark);
