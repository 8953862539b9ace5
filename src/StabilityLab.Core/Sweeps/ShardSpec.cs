using System.Globalization;
using StabilityLab.Models;

namespace StabilityLab.Sweeps;

/// <summary>Shard i of N (0 ≤ i &lt; N) runs the cells whose grid index is ≡ i (mod N).</summary>
public sealed record ShardSpec(int Index, int Count)
{
    public static readonly ShardSpec Whole = new(0, 1);

    public bool Contains(int cellIndex) => cellIndex % Count == Index;

    /// <summary>Parses <c>i/N</c>; i counts from 0 (as Slurm's array task ids usually do).</summary>
    public static ShardSpec Parse(string text)
    {
        var parts = (text ?? "").Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            throw new SpecException($"bad shard '{text}' (expected i/N with 0 ≤ i < N, e.g. 0/4)");
        if (n < 1 || i >= n) throw new SpecException($"bad shard '{text}': need 0 ≤ i < N and N ≥ 1");
        return new ShardSpec(i, n);
    }

    public override string ToString() => $"{Index}/{Count}";
}
