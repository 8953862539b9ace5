using StabilityLab.Models;

namespace StabilityLab.Plotting.Export;

/// <summary>
/// Writes a file under a temporary name in the same folder, then renames it, so a killed run never leaves
/// half a figure. A folder or file that cannot be written throws <see cref="SpecException"/>.
/// </summary>
public static class AtomicWrite
{
    public static void Bytes(string path, Action<Stream> write)
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

    public static void Text(string path, string contents) =>
        Bytes(path, s => s.Write(new System.Text.UTF8Encoding(false).GetBytes(contents)));
}
