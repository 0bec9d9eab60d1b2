namespace PushListener.Subscriptions;

/// <summary>The health of a subscription as the listener sees it.</summary>
public enum SubscriptionState
{
    /// <summary>Pushes arrive as expected.</summary>
    Active = 0,

    /// <summary>Nothing heard for twice its StatusFrequency.</summary>
    Silent = 1,

    /// <summary>Exchange sent an error push: the subscription is dead on Exchange's side.</summary>
    Failed = 2,

    /// <summary>Marked by an operator: its next push is answered Unsubscribe.</summary>
    Unsubscribing = 3,

    /// <summary>Answered Unsubscribe: Exchange has ended it.</summary>
    Unsubscribed = 4,
}
