using System.Globalization;
using StabilityLab.Models;

namespace StabilityLab.Sweeps;

/// <summary>
/// What a sweep will hold in memory and write to disk, estimated before any work starts, and the check of both against
/// this machine (docs/bad-input.md, "sizes"). Memory, for the cell group that needs most: each worker thread's exact
/// sampler (8·m·(L+1) bytes of activations and 8·m·L of pre-activations, twice that for res3, plus 24·L bytes per τ of the
/// per-trial records), the group's per-trial summaries (32 bytes per trial and τ, twice while the statistics are
/// computed) and its per-layer traces (24·L bytes per trial and traced cell). Disk: raw.csv, written once as cell
/// checkpoints and once assembled (about 110 bytes per trial and cell each).
/// </summary>
public sealed record SweepResources(long MemoryBytes, long DiskBytes, int Threads, string MemoryBreakdown)
{
    /// <summary>Bytes of raw.csv per trial and cell (a row of eight numbers in shortest round-trip form).</summary>
    public const long RawBytesPerRow = 110;

    /// <summary>The share of the available memory a sweep may plan to use.</summary>
    public const double MemoryShare = 0.8;

    /// <summary>The estimate for <paramref name="threads"/> worker threads (0: one per core, but no more than the memory holds).</summary>
    public static SweepResources Of(SweepSpec spec, int threads, long? availableMemory = null)
    {
        var cells = spec.Cells();
        var worst = cells.GroupBy(c => c.Group).Select(g => g.ToList())
            .MaxBy(g => PerThread(g[0].Spec, g.Count) + Shared(g[0].Spec, g.Count, spec.Trials, g.Count(c => spec.TraceDepths.Contains(c.Spec.Depth))))!;
        long disk = spec.Raw ? 2 * RawBytesPerRow * spec.Trials * (long)cells.Count : 0;
        return Estimate(worst[0].Spec, worst.Count, spec.Trials, worst.Count(c => spec.TraceDepths.Contains(c.Spec.Depth)), disk, threads, availableMemory);
    }

    /// <summary>The estimate for one cell sampled on its own (`sample`): no traces, nothing written.</summary>
    public static SweepResources OfCell(NetworkSpec spec, int trials, int threads, long? availableMemory = null)
    {
        Sampling.ExactSampler.CheckSize(spec);
        return Estimate(spec, 1, trials, 0, 0, threads, availableMemory);
    }

    private static long PerThread(NetworkSpec s, int taus) =>
        8L * s.Width * (2L * s.Depth + 1) * (s.Block == BlockKind.Res3 ? 2 : 1) + 24L * s.Depth * taus;

    private static long Shared(NetworkSpec s, int taus, int trials, int traced) => 2 * 32L * trials * taus + traced * 24L * s.Depth * trials;

    private static SweepResources Estimate(NetworkSpec s, int taus, int trials, int traced, long disk, int threads, long? availableMemory)
    {
        long perThread = PerThread(s, taus), shared = Shared(s, taus, trials, traced);
        int n = threads > 0 ? threads : Environment.ProcessorCount;
        if (threads <= 0)
        {
            // One thread per core, but never more than the memory holds (at least one: Check then decides).
            long budget = (long)((availableMemory ?? AvailableMemory()) * MemoryShare) - shared;
            n = (int)Math.Clamp(budget / Math.Max(perThread, 1), 1, n);
        }
        n = Math.Max(1, Math.Min(n, trials));
        string breakdown = F($"{n} thread(s) × {Size(perThread)} (m = {s.Width}, L = {s.Depth}) + {Size(shared)} of per-trial results ({trials} trials × {taus} τ)");
        return new SweepResources(n * perThread + shared, disk, n, breakdown);
    }

    /// <summary>Throws <see cref="SpecException"/> when the estimate does not fit the available memory or the free space under <paramref name="outDir"/>.</summary>
    public void Check(string outDir, long? availableMemory = null, long? freeDisk = null)
    {
        long mem = availableMemory ?? AvailableMemory();
        if (MemoryBytes > mem * MemoryShare)
            throw new SpecException(F($"this run needs ≈ {Size(MemoryBytes)} of memory ({MemoryBreakdown}); {Size(mem)} is available: lower --threads, --trials, --width or --depth"));
        if (DiskBytes > 0 && (freeDisk ?? FreeDisk(outDir)) is long free && DiskBytes > free)
            throw new SpecException(F($"raw.csv would take ≈ {Size(DiskBytes)} (with its checkpoints) and {Size(free)} is free under {Path.GetFullPath(outDir)}: lower --trials or leave out --raw"));
    }

    /// <summary>Memory available to this process: MemAvailable of /proc/meminfo where there is one, else what the GC reports (container limits included), whichever is less.</summary>
    public static long AvailableMemory()
    {
        long gc = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb))
                    return Math.Min(gc, kb * 1024);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return gc;
    }

    /// <summary>Free bytes on the drive that holds <paramref name="dir"/> (its nearest existing ancestor); null when unknown.</summary>
    public static long? FreeDisk(string dir)
    {
        try
        {
            var d = new DirectoryInfo(Path.GetFullPath(dir));
            while (d is not null && !d.Exists) d = d.Parent;
            return d is null ? null : new DriveInfo(d.FullName).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { return null; }
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => F($"{bytes / (double)(1L << 30):F1} GiB"),
        >= 1L << 20 => F($"{bytes / (double)(1L << 20):F0} MiB"),
        _ => F($"{bytes / 1024.0:F0} KiB"),
    };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
