using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PushListener.Bench.DurableFloor;

/// <summary>
/// Appends each batch to one file (a length-prefixed record per request, one write per batch) and calls fdatasync(2)
/// once per batch: the floor below any database, which pays one write and one flush per batch and nothing else. The
/// file grows with every batch, so each fdatasync also commits the new size, as a growing SQLite WAL does.
/// </summary>
internal sealed partial class FileLog : GroupCommitLog
{
    private readonly SafeFileHandle _file;
    private byte[] _buffer = new byte[1 << 20];
    private long _offset;

    public FileLog(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Floor:Mode=file uses fdatasync(2): Linux only.");
        }

        Directory.CreateDirectory(folder);
        _file = File.OpenHandle(Path.Combine(folder, "floor.log"), FileMode.Create, FileAccess.Write, FileShare.Read);
        Start("floor file writer");
    }

    protected override void Commit(List<PendingWrite> batch)
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

        RandomAccess.Write(_file, _buffer.AsSpan(0, length), _offset);
        _offset += length;
        if (FileDataSync(_file) != 0)
        {
            throw new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FileDataSync(SafeFileHandle file);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _file.Dispose();
    }
}
