namespace PushListener.Subscriptions;

/// <summary>What one stored message tells the registry about its subscription; applied in the append's transaction.</summary>
internal sealed record RegistryUpdate(
    string? PreviousWatermark,
    string? LastWatermark,
    int[] EventCounts,
    bool IsHeartbeat,
    bool IsError,
    string ResponseCode,
    string? MessageText,
    string? Registration,
    TimeSpan? RegisteredInterval)
{
    public static RegistryUpdate From(NotificationMessage message, Registration? registration)
    {
        var counts = new int[8];
        var notification = message.Notification;
        if (notification is not null)
        {
            foreach (var e in notification.Events)
            {
                // Per-kind counters cover the EWS event types; Unknown events are delivered but not counted.
                if ((uint)e.Kind < (uint)counts.Length)
                {
                    counts[(int)e.Kind]++;
                }
            }
        }

        return new RegistryUpdate(
            notification?.PreviousWatermark,
            notification?.LastWatermark,
            counts,
            notification?.IsHeartbeat == true,
            message.IsError,
            message.ResponseCode,
            message.MessageText,
            registration?.Name,
            registration?.StatusFrequency is { } minutes ? TimeSpan.FromMinutes(minutes) : null);
    }
}
