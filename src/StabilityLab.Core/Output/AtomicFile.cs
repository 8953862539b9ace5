using System.Text;
using StabilityLab.Models;

namespace StabilityLab.Output;

/// <summary>
/// The one atomic writer of the tool: writes a file under a temporary name in the same folder, then renames it,
/// so a killed run never leaves half a file. A folder or file that cannot be written throws <see cref="SpecException"/>.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Whether a directory entry is the temporary file of a write that a killed process left behind (.NAME.PID.GUID.tmp).</summary>
    public static bool IsTemporary(string name) => name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal);

    public static void WriteAllText(string path, string contents) => Write(path, s => s.Write(Utf8.GetBytes(contents)));

    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (var s = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
                write(s);
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecException($"cannot write {full}: {e.Message.Split('\n')[0].Trim()}");
        }
        finally
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
