namespace PushListener.Pipeline;

/// <summary>The pipeline's result for one notification.</summary>
internal sealed class PipelineOutcome(IReadOnlyList<HandlerOutcome> handlers)
{
    public IReadOnlyList<HandlerOutcome> Handlers { get; } = handlers;

    /// <summary>
    /// The answer this notification earns: <c>Unsubscribe</c> when any handler voted so, else <c>OK</c>. Failures never
    /// count as a vote: a transient error must not end a subscription.
    /// </summary>
    public SubscriptionStatus Status
    {
        get
        {
            foreach (var handler in Handlers)
            {
                if (handler.Status == HandlerStatus.Succeeded && handler.Verdict == HandlerVerdict.Unsubscribe)
                {
                    return SubscriptionStatus.Unsubscribe;
                }
            }

            return SubscriptionStatus.OK;
        }
    }

    public string? UnsubscribeReason => Handlers.FirstOrDefault(h => h.Status == HandlerStatus.Succeeded && h.Verdict == HandlerVerdict.Unsubscribe).Detail;

    public bool HasFailures => Handlers.Any(h => h.IsFailure);
}
