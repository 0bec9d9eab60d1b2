namespace PushListener.Handlers.Unsubscribe;

/// <summary>Votes <c>Unsubscribe</c> for the subscription ids (or <c>*</c> patterns) listed in its settings.</summary>
internal sealed class UnsubscribeRuleHandler(UnsubscribeRuleSettings settings) : INotificationHandler
{
    private readonly string[] _patterns = [.. settings.SubscriptionIds];

    public bool MayUnsubscribe => true;

    public ValueTask<HandlerResult> HandleAsync(NotificationContext context)
    {
        if (context.SubscriptionId is { } id)
        {
            foreach (var pattern in _patterns)
            {
                if (Wildcard.IsMatch(pattern, id))
                {
                    return ValueTask.FromResult(HandlerResult.Unsubscribe(settings.Reason));
                }
            }
        }

        return ValueTask.FromResult(HandlerResult.Continue);
    }
}
