using PushListener.Pipeline;

namespace PushListener.Handlers.Unsubscribe;

/// <summary>Settings of the <c>UnsubscribeRule</c> handler type.</summary>
internal sealed class UnsubscribeRuleSettings : IHandlerSettings
{
    /// <summary>Subscription ids, or patterns with <c>*</c>, to answer <c>Unsubscribe</c> for. Required.</summary>
    public List<string> SubscriptionIds { get; set; } = [];

    /// <summary>The reason logged with the vote. Default "listed in configuration".</summary>
    public string Reason { get; set; } = "listed in configuration";

    public IEnumerable<string> Validate(string path)
    {
        if (SubscriptionIds.Count == 0)
        {
            yield return $"{path}:SubscriptionIds must list at least one subscription id or pattern.";
        }

        for (var i = 0; i < SubscriptionIds.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(SubscriptionIds[i]))
            {
                yield return $"{path}:SubscriptionIds:{i} is empty.";
            }
        }
    }
}
