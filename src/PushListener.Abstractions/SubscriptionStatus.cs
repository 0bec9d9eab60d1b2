namespace PushListener;

/// <summary>The answer Exchange receives: the <c>SubscriptionStatus</c> of <c>SendNotificationResult</c>.</summary>
public enum SubscriptionStatus
{
    /// <summary><c>OK</c>: keep sending.</summary>
    OK,

    /// <summary><c>Unsubscribe</c>: Exchange ends the subscription.</summary>
    Unsubscribe,
}
