using System.Security.Cryptography;
using System.Text;

namespace PushListener.Bench.DurableFloor;

/// <summary>
/// What an issue-13 append keys on, found with a byte search instead of an XML parse (the bodies are bench/wrk/push.lua's
/// and the heartbeat fixture): the subscription id, the last watermark, and the dedupe hash, SHA-256 of the two.
/// </summary>
internal readonly record struct PushKey(string SubscriptionId, string Watermark, byte[] DedupeHash)
{
    private static readonly byte[] SubscriptionOpen = "<t:SubscriptionId>"u8.ToArray();
    private static readonly byte[] SubscriptionClose = "</t:SubscriptionId>"u8.ToArray();
    private static readonly byte[] WatermarkOpen = "<t:Watermark>"u8.ToArray();
    private static readonly byte[] WatermarkClose = "</t:Watermark>"u8.ToArray();

    /// <summary>The push's key; a body without the two elements is keyed on its own hash (stored, never a duplicate of a push).</summary>
    public static PushKey From(byte[] body)
    {
        var subscription = Between(body, SubscriptionOpen, SubscriptionClose, last: false);
        var watermark = Between(body, WatermarkOpen, WatermarkClose, last: true);
        if (subscription.IsEmpty || watermark.IsEmpty)
        {
            return new PushKey(string.Empty, string.Empty, SHA256.HashData(body));
        }

        Span<byte> key = stackalloc byte[subscription.Length + 1 + watermark.Length];
        subscription.CopyTo(key);
        key[subscription.Length] = (byte)'\n';
        watermark.CopyTo(key[(subscription.Length + 1)..]);
        return new PushKey(Encoding.UTF8.GetString(subscription), Encoding.UTF8.GetString(watermark), SHA256.HashData(key));
    }

    private static ReadOnlySpan<byte> Between(ReadOnlySpan<byte> body, ReadOnlySpan<byte> open, ReadOnlySpan<byte> close, bool last)
    {
        var start = last ? body.LastIndexOf(open) : body.IndexOf(open);
        if (start < 0)
        {
            return default;
        }

        var value = body[(start + open.Length)..];
        var end = value.IndexOf(close);
        return end < 0 || end > 1024 ? default : value[..end];
    }
}
