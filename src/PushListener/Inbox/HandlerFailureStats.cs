namespace PushListener.Inbox;

/// <summary>Per-handler failure counts.</summary>
public sealed record HandlerFailureStats(string Handler, long Failures, string? LastError, DateTimeOffset? LastFailedAt);
