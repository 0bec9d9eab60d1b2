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
    /// <summary>
    /// How many of a subscription's latest watermark-keyed notifications every store recognises a retry of, at least.
    /// Exchange retries only a subscription's latest push (it sends the next one only after that one was answered), so a
    /// retry is always among the last notifications of its subscription; 16 covers a latest push of up to 16 messages of
    /// one subscription (real ones carry one) with room to spare. A store may recognise more (PostgreSQL: all it keeps).
    /// </summary>
    public const int RecentWindow = 16;

    /// <summary>Whether <paramref name="key"/> is keyed by its subscription's watermarks (the keys the window covers).</summary>
    public static bool IsWatermarkKey(string key) => key.StartsWith("w:", StringComparison.Ordinal);

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
