namespace PushListener.Health;

/// <summary>Free space on the file system holding a path (replaceable in tests).</summary>
internal interface IFreeDiskSpace
{
    /// <summary>Bytes available to this process on the file system of <paramref name="path"/>.</summary>
    long AvailableBytes(string path);
}

/// <summary>Free space as the operating system reports it for the path's drive or mount.</summary>
internal sealed class DriveFreeDiskSpace : IFreeDiskSpace
{
    public long AvailableBytes(string path)
    {
        // DriveInfo takes a mount point on Unix; the longest mount containing the path is its file system.
        var full = Path.GetFullPath(path);
        DriveInfo? best = null;
        foreach (var drive in DriveInfo.GetDrives())
        {
            var root = drive.RootDirectory.FullName;
            if (full.StartsWith(root, StringComparison.Ordinal) && (best is null || root.Length > best.RootDirectory.FullName.Length) && drive.IsReady)
            {
                best = drive;
            }
        }

        return (best ?? new DriveInfo(full)).AvailableFreeSpace;
    }
}
