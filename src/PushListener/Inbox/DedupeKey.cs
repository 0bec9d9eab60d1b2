using System.Globalization;
using System.Security.Cryptography;

namespace PushListener.Inbox;

/// <summary>
/// What makes two pushes the same notification: the subscription and its watermark chain (PreviousWatermark and the last
/// event watermark), which Exchange repeats exactly when it retries. Without watermarks (error pushes) the key falls back
/// to a hash of the body and the message's position in it.
/// </summary>
internal static class DedupeKey
{
    public static string For(NotificationMessage message, ReadOnlySpan<byte> body, int index)
    {
        if (message.Notification is { } notification && notification.LastWatermark is { } last)
        {
            return string.Concat("w:", notification.SubscriptionId, "\n", notification.PreviousWatermark, "\n", last);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return "h:" + Convert.ToHexString(hash) + ":" + index.ToString(CultureInfo.InvariantCulture);
    }
}
