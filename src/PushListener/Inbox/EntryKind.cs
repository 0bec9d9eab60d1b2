namespace PushListener.Inbox;

/// <summary>What an inbox entry holds.</summary>
internal enum EntryKind
{
    /// <summary>A message of a stored SOAP body (the push's body, shared by its messages) and its index in it.</summary>
    Notification = 0,

    /// <summary>A lifecycle event as JSON.</summary>
    Lifecycle = 1,
}
