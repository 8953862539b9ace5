using System.Security.Cryptography;
using System.Text;
using StabilityLab.Output;

namespace StabilityLab.Sweeps;

/// <summary>
/// The checkpoint of one finished cell under DIR/.partial: its part files (row, trace, raw, seconds) and, written
/// last, a seal file listing the SHA-256 of each part and of the list itself. Only a sealed checkpoint whose parts
/// all match is trusted on resume; anything else (a part lost, truncated or edited, a seal damaged) is recomputed.
/// </summary>
public static class SweepCheckpoint
{
    public const string SealSuffix = ".sha256";

    /// <summary>Seals the cell's parts (suffixes of files already written beside each other).</summary>
    public static void Seal(string partial, int index, IEnumerable<string> suffixes)
    {
        var body = string.Concat(suffixes.Select(s => $"{Hash(SweepRunner.CellPath(partial, index, s))}  {s}\n"));
        AtomicFile.WriteAllText(SweepRunner.CellPath(partial, index, SealSuffix), body + $"{HashText(body)}  seal\n");
    }

    /// <summary>Whether anything of a cell's checkpoint is on disk (a seal or a part).</summary>
    public static bool Exists(string partial, int index, IEnumerable<string> suffixes) =>
        suffixes.Append(SealSuffix).Any(s => File.Exists(SweepRunner.CellPath(partial, index, s)));

    /// <summary>Null when the cell's checkpoint is sealed and its parts are exactly <paramref name="suffixes"/>, intact; else why not.</summary>
    public static string? Problem(string partial, int index, IReadOnlyCollection<string> suffixes)
    {
        var seal = SweepRunner.CellPath(partial, index, SealSuffix);
        if (!File.Exists(seal)) return "not sealed";
        var lines = File.ReadAllText(seal).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != suffixes.Count + 1) return "seal lists other parts";
        string body = string.Concat(lines.Take(lines.Length - 1).Select(l => l + "\n"));
        if (lines[^1] != $"{HashText(body)}  seal") return "seal damaged";
        var listed = lines.Take(lines.Length - 1).Select(l => l.Split("  ", 2)).ToArray();
        if (listed.Any(p => p.Length != 2) || !listed.Select(p => p[1]).Order(StringComparer.Ordinal).SequenceEqual(suffixes.Order(StringComparer.Ordinal)))
            return "seal lists other parts";
        foreach (var p in listed)
        {
            var path = SweepRunner.CellPath(partial, index, p[1]);
            if (!File.Exists(path)) return $"{Path.GetFileName(path)} missing";
            if (Hash(path) != p[0]) return $"{Path.GetFileName(path)} does not match its checksum";
        }
        return null;
    }

    /// <summary>Removes whatever a cell's checkpoint left, so it is recomputed from nothing.</summary>
    public static void Remove(string partial, int index, IEnumerable<string> suffixes)
    {
        foreach (var s in suffixes.Append(SealSuffix)) File.Delete(SweepRunner.CellPath(partial, index, s));
    }

    private static string Hash(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    private static string HashText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
