using System.Globalization;
using StabilityLab.Models;

namespace StabilityLab.Output;

/// <summary>
/// An exclusive hold on an output directory for the whole of a run, so two processes never write into one
/// directory. The hold is the open handle of DIR/.stabilitylab.lock (FileShare.None: flock on Unix), so the OS
/// releases it when the holder exits, even after SIGKILL, and a lock file left behind blocks nobody. The holder's
/// pid is written beside it for the message (another process cannot open the locked file to read it).
/// </summary>
public sealed class OutputLock : IDisposable
{
    public const string FileName = ".stabilitylab.lock", PidFileName = ".stabilitylab.pid";

    private readonly FileStream _handle;
    private readonly string _pidPath;

    private OutputLock(FileStream handle, string pidPath) => (_handle, _pidPath) = (handle, pidPath);

    /// <summary>Whether a directory entry is the lock's own (ignored when deciding whether a directory is empty).</summary>
    public static bool IsLockEntry(string name) => name is FileName or PidFileName;

    /// <summary>
    /// Creates the directory if needed and holds it. Held by another process, or not writable:
    /// <see cref="SpecException"/> (one line), and nothing is written.
    /// </summary>
    public static OutputLock Take(string dir)
    {
        dir = Path.GetFullPath(dir);
        if (File.Exists(dir)) throw new SpecException($"output path {dir} is a file, not a directory");
        var path = Path.Combine(dir, FileName);
        var pidPath = Path.Combine(dir, PidFileName);
        try
        {
            Directory.CreateDirectory(dir);
            FileStream handle;
            try
            {
                handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (File.Exists(path))
            {
                string pid = File.Exists(pidPath) ? File.ReadAllText(pidPath).Trim() : "unknown";
                throw new SpecException($"{dir} is in use by another stabilitylab process (pid {pid})");
            }
            try
            {
                AtomicFile.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            }
            catch
            {
                handle.Dispose();
                throw;
            }
            return new OutputLock(handle, pidPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecException($"cannot write to output directory {dir}: {e.Message}");
        }
    }

    public void Dispose()
    {
        // The pid file goes first, while the directory is still held.
        try { File.Delete(_pidPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _handle.Dispose();
    }
}
