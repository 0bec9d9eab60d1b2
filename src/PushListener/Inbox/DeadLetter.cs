namespace PushListener.Inbox;

/// <summary>A dead letter, as the admin API and command line show it.</summary>
public sealed record DeadLetter(long Id, string? SubscriptionId, DateTimeOffset ReceivedAt, int Attempts, string? LastError, DateTimeOffset? DeadAt, IReadOnlyList<string> FailedHandlers);
