namespace StabilityLab.Output;

/// <summary>
/// What an output directory holds of its own: every entry except the lock's files (<see cref="OutputLock"/>) and the
/// temporary files a killed writer leaves (<see cref="AtomicFile"/>). A new run may start only where this is empty.
/// </summary>
public static class OutputDirectory
{
    /// <summary>The names of the directory's entries that belong to a run or to someone else; empty for a missing directory.</summary>
    public static IReadOnlyList<string> Contents(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFileSystemEntries(dir).Select(e => Path.GetFileName(e)).Where(n => !OutputLock.IsLockEntry(n) && !AtomicFile.IsTemporary(n)).ToList()
            : [];

    /// <summary>Deletes the temporary files a killed writer left in the directory (never files under final names).</summary>
    public static void RemoveTemporaryFiles(string dir)
    {
        foreach (var f in Directory.EnumerateFiles(dir).Where(f => AtomicFile.IsTemporary(Path.GetFileName(f)))) File.Delete(f);
    }
}
