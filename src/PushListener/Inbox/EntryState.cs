namespace PushListener.Inbox;

/// <summary>Where an entry is in its life; the numbers are stored.</summary>
internal enum EntryState
{
    /// <summary>Waiting to be delivered (claimed or not).</summary>
    Pending = 0,

    /// <summary>Delivered; kept for the retention period.</summary>
    Done = 1,

    /// <summary>Out of attempts: a dead letter.</summary>
    Dead = 2,
}
