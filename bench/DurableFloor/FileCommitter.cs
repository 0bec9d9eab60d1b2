using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PushListener.Bench.DurableFloor;

/// <summary>
/// Writes each batch to one file (a length-prefixed record per request, one write per batch) and calls fdatasync(2)
/// once per batch: the floor below any database, one write and one flush per batch and nothing else.
/// Appending, the file grows with every batch, so each fdatasync also commits the new size (a file-system journal
/// commit), as a growing SQLite WAL does. As a ring, the file is zero-filled and flushed first and then overwritten
/// in place, wrapping at its end, so a flush carries data only: what a database gets from a log it reuses (SQLite
/// rewrites its WAL from the start after a checkpoint; PostgreSQL recycles zero-filled WAL segments).
/// </summary>
internal sealed partial class FileCommitter : IBatchCommitter
{
    private const long RingBytes = 256L * 1024 * 1024;

    private readonly SafeFileHandle _file;
    private readonly bool _ring;
    private byte[] _buffer = new byte[1 << 20];
    private long _offset;

    public FileCommitter(string path, bool ring)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The file modes use fdatasync(2): Linux only.");
        }

        _ring = ring;
        _file = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        if (ring)
        {
            var zeros = new byte[4 * 1024 * 1024];
            for (long at = 0; at < RingBytes; at += zeros.Length)
            {
                RandomAccess.Write(_file, zeros, at);
            }

            Sync();
        }
    }

    public void Commit(List<PendingWrite> batch)
    {
        var length = 0;
        foreach (var write in batch)
        {
            length += 4 + write.Body.Length;
        }

        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }

        var at = 0;
        foreach (var write in batch)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), write.Body.Length);
            write.Body.CopyTo(_buffer.AsSpan(at + 4));
            at += 4 + write.Body.Length;
        }

        if (_ring && _offset + length > RingBytes)
        {
            _offset = 0;
        }

        RandomAccess.Write(_file, _buffer.AsSpan(0, length), _offset);
        _offset += length;
        Sync();
    }

    private void Sync()
    {
        if (FileDataSync(_file) != 0)
        {
            throw new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FileDataSync(SafeFileHandle file);

    public void Dispose() => _file.Dispose();
}
