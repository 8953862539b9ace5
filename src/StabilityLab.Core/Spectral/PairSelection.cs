using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Randomness;

namespace StabilityLab.Spectral;

/// <summary>
/// Which block pairs (a, b), 1 ≤ a ≤ b ≤ L, get an operator norm. <c>auto</c>: every pair for L ≤ 64
/// (L(L+1)/2 of them), beyond that a uniform random sample of 64 distinct pairs; <c>all</c>: every pair
/// at every depth; <c>N</c>: a uniform random sample of N distinct pairs (every pair when N ≥ L(L+1)/2);
/// <c>0</c>: none. The whole product (1, L) is always included. A sample is a pure function of
/// (seed, L, N): the same pairs for every trial and every τ.
/// </summary>
public sealed record PairSelection
{
    /// <summary>Depths up to this get every pair under <see cref="Auto"/>.</summary>
    public const int AutoAllPairsUpTo = 64;

    /// <summary>The sample size that <see cref="Auto"/> uses beyond <see cref="AutoAllPairsUpTo"/>.</summary>
    public const int AutoSampleSize = 64;

    private PairSelection(string mode, int sample)
    {
        Mode = mode;
        SampleSize = sample;
    }

    /// <summary>"auto", "all" or "sample".</summary>
    public string Mode { get; }

    /// <summary>N for a sample, else 0.</summary>
    public int SampleSize { get; }

    public static PairSelection Auto { get; } = new("auto", 0);

    public static PairSelection All { get; } = new("all", 0);

    /// <summary>N random pairs per depth besides the whole product (0: the whole product only).</summary>
    public static PairSelection Sample(int n) =>
        n >= 0 ? new("sample", n) : throw new SpecException($"the number of pairs must be 0 or more (got {n})");

    /// <summary>Parses <c>auto</c>, <c>all</c> or a whole number N ≥ 0.</summary>
    public static PairSelection Parse(string text)
    {
        var t = (text ?? "").Trim().ToLowerInvariant();
        if (t == "auto") return Auto;
        if (t == "all") return All;
        if (int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0) return Sample(n);
        throw new SpecException($"bad --pairs '{text}' (expected all, auto or a whole number N ≥ 0 of random pairs)");
    }

    /// <summary>Number of pairs 1 ≤ a ≤ b ≤ L.</summary>
    public static long PairCount(int depth) => (long)depth * (depth + 1) / 2;

    /// <summary>True when this selection evaluates every pair at depth L.</summary>
    public bool IsComplete(int depth) => Mode switch
    {
        "all" => true,
        "auto" => depth <= AutoAllPairsUpTo,
        _ => SampleSize >= PairCount(depth),
    };

    /// <summary>The pairs at depth L, sorted by (start, end); the whole product (1, L) is always there.</summary>
    public BlockPair[] Select(int depth, ulong seed)
    {
        if (depth < 1) throw new SpecException($"depth must be at least 1 (got {depth})");
        if (IsComplete(depth))
        {
            if (PairCount(depth) > 50_000_000) throw new SpecException($"all {PairCount(depth)} pairs at depth {depth} are too many; give --pairs N");
            var all = new BlockPair[PairCount(depth)];
            int k = 0;
            for (int a = 1; a <= depth; a++)
                for (int b = a; b <= depth; b++) all[k++] = new BlockPair(a, b);
            return all;
        }
        int n = Mode == "auto" ? AutoSampleSize : SampleSize;
        long total = PairCount(depth);
        var chosen = new HashSet<long> { Index(depth, 1, depth) };
        // Uniform without replacement by rejection on counter-based bits: a pure function of (seed, L, N).
        var key = ((ulong)(uint)depth << 32) | (uint)n;
        for (ulong counter = 0; chosen.Count < n + 1; counter++)
        {
            var (bits, _) = Threefry2x64.Block(counter, RandomStream.Domain(depth, StreamIds.Spectral.PairSample), seed, key);
            chosen.Add((long)(bits % (ulong)total));
            if (counter > (ulong)total * 64 + 1_000_000) break; // cannot happen for n + 1 ≤ total; a guard, not a path
        }
        return chosen.Select(i => FromIndex(depth, i)).OrderBy(p => p.Start).ThenBy(p => p.End).ToArray();
    }

    public override string ToString() => Mode == "sample" ? SampleSize.ToString(CultureInfo.InvariantCulture) : Mode;

    // Pairs in (a, b) order: index of (a, b) = Σ_{a'<a} (L − a' + 1) + (b − a).
    private static long Index(int depth, int a, int b) => (long)(a - 1) * depth - (long)(a - 1) * (a - 2) / 2 + (b - a);

    private static BlockPair FromIndex(int depth, long index)
    {
        for (int a = 1; a <= depth; a++)
        {
            int row = depth - a + 1;
            if (index < row) return new BlockPair(a, a + (int)index);
            index -= row;
        }
        throw new ArgumentOutOfRangeException(nameof(index));
    }
}
