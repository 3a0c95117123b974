using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Sessions.Embedded;

/// <summary>
/// fsync of a directory, so that a rename in it is on disk (a power loss right after a compaction must not bring back
/// the journal it replaced). .NET cannot open a directory as a file, hence libc; elsewhere than Linux and macOS
/// this does nothing.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    /// <summary>Syncs <paramref name="directory"/>; returns false when that could not be done (the rename is then only as durable as the file system makes it).</summary>
    public static bool TrySync(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        var path = Encoding.UTF8.GetBytes(directory + "\0");
        var fd = Open(path, ReadOnly);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            return Fsync(fd) == 0;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
