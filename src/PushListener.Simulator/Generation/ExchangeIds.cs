using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace PushListener.Simulator.Generation;

/// <summary>
/// Opaque values shaped like the ones Exchange Online sends (same binary layout under the base64), so a listener that
/// stores or logs them sees realistic lengths and alphabets. Listeners must treat them as opaque; nothing depends on
/// the layout except the load mode, which rewrites watermarks in place.
/// </summary>
internal static class ExchangeIds
{
    /// <summary>Characters of every watermark: 32 bytes in base64.</summary>
    public const int WatermarkLength = 44;

    private const int WatermarkBytes = 32;

    /// <summary>
    /// A subscription id: a 16-bit length, the mailbox server's name, a 32-bit 16, then a GUID
    /// (decoded from real ids such as <c>JwBWSTFQUjA4TUIzMTUwLmV1cnByZDA4...</c>).
    /// </summary>
    public static string SubscriptionId(string server, Guid id)
    {
        var name = Encoding.ASCII.GetBytes(server);
        var bytes = new byte[2 + name.Length + 4 + 16];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)name.Length);
        name.CopyTo(bytes, 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2 + name.Length), 16);
        id.TryWriteBytes(bytes.AsSpan(6 + name.Length));
        return Convert.ToBase64String(bytes);
    }

    /// <summary>
    /// A watermark: a 32-bit 1, the mailbox database GUID, the event counter big-endian, 4 zero bytes
    /// (decoded from real watermarks such as <c>AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABo/WQAAAAA=</c>). Later events have
    /// larger counters, as in Exchange.
    /// </summary>
    public static string Watermark(Guid database, long counter)
    {
        Span<byte> utf8 = stackalloc byte[WatermarkLength];
        WriteWatermark(utf8, database, counter);
        return Encoding.ASCII.GetString(utf8);
    }

    /// <summary>Writes a watermark as UTF-8 base64 into exactly <see cref="WatermarkLength"/> bytes.</summary>
    public static void WriteWatermark(Span<byte> destination, Guid database, long counter)
    {
        Span<byte> bytes = stackalloc byte[WatermarkBytes];
        bytes.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 1);
        database.TryWriteBytes(bytes[4..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes[20..], counter);
        Base64.EncodeToUtf8(bytes, destination[..WatermarkLength], out _, out _);
    }

    /// <summary>
    /// An item or folder id: the mailbox GUID as text after a small header, a kind byte (0x46 item, 0x2E folder),
    /// then random store bytes; items are longer than folders, as in real ids.
    /// </summary>
    public static string ObjectId(string mailboxGuidText, bool folder, Random random)
    {
        var header = Encoding.ASCII.GetBytes(mailboxGuidText);
        var tail = folder ? 48 : 72;
        var bytes = new byte[4 + header.Length + 1 + tail];
        bytes[1] = 0x03;
        bytes[2] = 0x24;
        header.CopyTo(bytes, 4);
        var at = 4 + header.Length + 1;
        bytes[at] = folder ? (byte)0x2E : (byte)0x46;
        random.NextBytes(bytes.AsSpan(at + 6, tail - 9));
        return Convert.ToBase64String(bytes);
    }

    /// <summary>A change key: a 32-bit class (9 item, 1 folder), a 32-bit length 22, 22 random bytes.</summary>
    public static string ChangeKey(bool folder, Random random)
    {
        Span<byte> bytes = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, folder ? 1u : 9u);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[4..], 22);
        random.NextBytes(bytes[8..]);
        return Convert.ToBase64String(bytes);
    }
}
