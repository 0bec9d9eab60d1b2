namespace PushListener.Subscriptions;

/// <summary>A registration as the listener holds it.</summary>
/// <param name="Name">Unique name.</param>
/// <param name="Mailbox">The mailbox watched.</param>
/// <param name="StatusFrequency">Minutes between heartbeats the subscription was created with.</param>
/// <param name="OwnerTag">Owner tag.</param>
/// <param name="SubscriptionIds">Subscription ids claimed by this registration.</param>
/// <param name="TokenHash">SHA-256 of the callback token, hex; null without a token.</param>
/// <param name="Source"><c>configuration</c> or <c>api</c>.</param>
public sealed record Registration(string Name, string? Mailbox, int? StatusFrequency, string? OwnerTag, IReadOnlyList<string> SubscriptionIds, string? TokenHash, string Source)
{
    public RegistrationInfo Info { get; } = new(Name, Mailbox, OwnerTag);
}
