namespace PushListener.Inbox;

/// <summary>One handler's outcome in a recorded attempt: succeeded, or failed with an error.</summary>
internal readonly record struct HandlerAttempt(string Handler, bool Succeeded, string? Error);
