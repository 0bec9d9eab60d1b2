using System.Buffers.Binary;
using PushListener.Inbox;

namespace PushListener.Storage.Sqlite;

/// <summary>
/// A subscription's window of recent dedupe keys, kept in its registry row (<c>subscriptions.recent_keys</c>), which
/// every stored notification rewrites anyway: so recognising a retry costs no page of a global index in the commit. Up
/// to <see cref="DedupeKey.RecentWindow"/> records, newest first, each 16 bytes: the first 8 bytes of the key's SHA-256,
/// then the entry's id (big-endian, as the migration writes it). A matching prefix is only a candidate: the entry log
/// compares the entry's stored key, so the decision stays exact.
/// </summary>
internal static class RecentDedupeKeys
{
    /// <summary>Bytes per record: hash prefix and entry id.</summary>
    public const int RecordBytes = 16;

    /// <summary>The largest window, in bytes.</summary>
    public const int MaxBytes = DedupeKey.RecentWindow * RecordBytes;

    /// <summary>The offset of the next record at or after <paramref name="start"/> whose prefix is <paramref name="hash"/>'s, or -1.</summary>
    public static int IndexOf(ReadOnlySpan<byte> window, ReadOnlySpan<byte> hash, int start)
    {
        var prefix = BinaryPrimitives.ReadUInt64BigEndian(hash);
        for (var offset = start; offset + RecordBytes <= window.Length; offset += RecordBytes)
        {
            if (BinaryPrimitives.ReadUInt64BigEndian(window[offset..]) == prefix)
            {
                return offset;
            }
        }

        return -1;
    }

    /// <summary>The entry id of the record at <paramref name="offset"/>.</summary>
    public static long EntryIdAt(ReadOnlySpan<byte> window, int offset) => BinaryPrimitives.ReadInt64BigEndian(window[(offset + 8)..]);

    /// <summary>
    /// Writes the record of (<paramref name="hash"/>, <paramref name="entryId"/>) at the start of <paramref name="buffer"/>,
    /// in front of the <paramref name="previousLength"/> bytes of the previous window that the caller put right after it,
    /// and returns the new window's length: the oldest record falls out once the window is full.
    /// </summary>
    public static int Prepend(Span<byte> buffer, int previousLength, ReadOnlySpan<byte> hash, long entryId)
    {
        hash[..8].CopyTo(buffer);
        BinaryPrimitives.WriteInt64BigEndian(buffer[8..], entryId);
        return Math.Min(previousLength + RecordBytes, MaxBytes);
    }
}
