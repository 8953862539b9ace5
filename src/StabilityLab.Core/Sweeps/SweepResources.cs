using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Sampling;

namespace StabilityLab.Sweeps;

/// <summary>
/// What a sweep will hold in memory and write to disk, estimated before any work starts, and the check of both against
/// this machine (docs/bad-input.md, "sizes"). Memory, for the cell group that needs most: each worker thread's exact
/// sampler (<see cref="ExactSampler.WorkingSetBytes"/>: its forward tape, stored or checkpointed, scratch vectors and the
/// per-trial records of each τ), the group's per-trial summaries (32 bytes per trial and τ, twice while the statistics
/// are computed), its per-layer traces (24·L bytes per trial and traced cell) and one cell's raw rows as text.
/// Disk: raw.csv, written once as cell checkpoints and once assembled (about 110 bytes per trial and cell each).
/// A group whose stored forward pass does not fit, or exceeds <see cref="StoredLimitBytes"/> per thread, is
/// checkpointed (<see cref="Intervals"/>); <c>--threads 0</c> takes
/// the thread count, up to one per core, that gets most trials per second within the memory.
/// </summary>
/// <param name="MemoryBytes">The estimated peak memory.</param>
/// <param name="DiskBytes">The estimated bytes written.</param>
/// <param name="Threads">Worker threads to run.</param>
/// <param name="MemoryBreakdown">The figures behind <paramref name="MemoryBytes"/>, for messages.</param>
/// <param name="Intervals">Checkpoint interval by cell group (<see cref="SweepCell.Group"/>); absent or 0: stored.</param>
public sealed record SweepResources(long MemoryBytes, long DiskBytes, int Threads, string MemoryBreakdown,
    IReadOnlyDictionary<int, int> Intervals)
{
    /// <summary>Bytes of raw.csv per trial and cell (a row of eight numbers in shortest round-trip form).</summary>
    public const long RawBytesPerRow = 110;

    /// <summary>The share of the available memory a sweep may plan to use.</summary>
    public const double MemoryShare = MemoryNeed.MemoryShare;

    /// <summary>
    /// Time of a checkpointed trial relative to a stored one, for planning: it draws the forward normals twice
    /// (bench, "checkpoint_vs_stored", measures it; the target is ≤ 1.6).
    /// </summary>
    public const double CheckpointCost = 1.5;

    /// <summary>
    /// The largest per-thread working set that is stored even when the memory would hold more: beyond it the stored
    /// forward pass is bound by memory traffic and the checkpointed one, working in cache-sized segments, is faster
    /// (measured with `sample --trials 3 --threads 1`, and with and without `--max-memory-mib 40`: m = 4096, L = 10⁴,
    /// 655 MB stored, 7.1 s against 3.2 s; m = 16384, L = 10⁴, 2 trials, 22.6 s against 7.3 s).
    /// </summary>
    public const long StoredLimitBytes = 512L << 20;

    /// <summary>The checkpoint interval of a cell group (0: every layer stored).</summary>
    public int IntervalOf(int group) => Intervals.GetValueOrDefault(group);

    /// <summary>The number of cell groups that are checkpointed.</summary>
    public int CheckpointedGroups => Intervals.Count(kv => kv.Value > 0);

    /// <summary>
    /// The estimate for <paramref name="threads"/> worker threads (0: up to one per core, as many as the memory holds);
    /// <paramref name="availableMemory"/>: the machine's (null: <see cref="AvailableMemory"/>).
    /// </summary>
    public static SweepResources Of(SweepSpec spec, int threads, long? availableMemory = null)
    {
        var cells = spec.Cells();
        var groups = cells.GroupBy(c => c.Group)
            .Select(g => Need.Of(g.Key, g.First().Spec, g.Count(), spec.Trials, g.Count(c => spec.TraceDepths.Contains(c.Spec.Depth)), spec.Raw))
            .ToList();
        long disk = spec.Raw ? 2 * RawBytesPerRow * spec.Trials * (long)cells.Count : 0;
        return Plan(groups, spec.Trials, disk, threads, availableMemory ?? AvailableMemory());
    }

    /// <summary>The estimate for one cell sampled on its own (`sample`): group 0, no traces, nothing written.</summary>
    public static SweepResources OfCell(NetworkSpec spec, int trials, int threads, long? availableMemory = null)
    {
        ExactSampler.CheckSize(spec);
        return Plan([Need.Of(0, spec, 1, trials, 0, false)], trials, 0, threads, availableMemory ?? AvailableMemory());
    }

    /// <summary>One cell group's memory: per worker thread stored and checkpointed, and shared by all threads.</summary>
    private sealed record Need(int Group, NetworkSpec Spec, int Taus, long Stored, long Checkpointed, long Shared, bool StoredFits)
    {
        public static Need Of(int group, NetworkSpec s, int taus, int trials, int traced, bool raw) => new(group, s, taus,
            ExactSampler.WorkingSetBytes(s, taus, checkpointed: false), ExactSampler.WorkingSetBytes(s, taus, checkpointed: true),
            2 * 32L * trials * taus + traced * 24L * s.Depth * trials + (raw ? 2 * RawBytesPerRow * trials : 0),
            ExactSampler.StoredFits(s));

        public bool StoresWith(int threads, double budget) => StoredFits && Stored <= StoredLimitBytes && threads * Stored + Shared <= budget;
    }

    private static SweepResources Plan(IReadOnlyList<Need> groups, int trials, long disk, int threads, long available)
    {
        double budget = available * MemoryShare;
        int cores = Math.Max(1, Math.Min(Environment.ProcessorCount, trials));
        // Explicit threads: as asked (Check refuses what does not fit). 0: the count with most throughput that fits.
        var counts = threads > 0 ? [Math.Max(1, Math.Min(threads, trials))] : Enumerable.Range(1, cores).Reverse().ToArray();
        int best = counts[^1];
        double bestRate = -1;
        foreach (int n in counts)
        {
            if (threads <= 0 && Memory(groups, n, budget).Bytes > budget) continue;
            // Trials per second ∝ threads / Σ (cost × depth × τ) over the groups.
            double rate = n / groups.Sum(g => (g.StoresWith(n, budget) ? 1 : CheckpointCost) * g.Spec.Depth * g.Taus);
            if (rate > bestRate) (best, bestRate) = (n, rate);
        }
        var (bytes, worst) = Memory(groups, best, budget);
        var intervals = groups.Where(g => !g.StoresWith(best, budget)).ToDictionary(g => g.Group, g => ExactSampler.CheckpointInterval(g.Spec));
        var s = worst.Spec;
        bool cp = intervals.ContainsKey(worst.Group);
        string mode = cp ? F($", checkpointed every {ExactSampler.CheckpointInterval(s)} layers") : "";
        string breakdown = F($"{best} thread(s) × {Size(cp ? worst.Checkpointed : worst.Stored)} (m = {s.Width}, L = {s.Depth}{mode}) + {Size(worst.Shared)} of per-trial results ({trials} trials × {worst.Taus} τ)");
        return new SweepResources(bytes, disk, best, breakdown, intervals);
    }

    /// <summary>The memory of the group that needs most with n threads, each group stored when it fits and checkpointed otherwise.</summary>
    private static (long Bytes, Need Worst) Memory(IReadOnlyList<Need> groups, int n, double budget) =>
        groups.Select(g => (Bytes: n * (g.StoresWith(n, budget) ? g.Stored : g.Checkpointed) + g.Shared, Worst: g)).MaxBy(x => x.Bytes);

    /// <summary>Throws <see cref="SpecException"/> when the estimate does not fit the available memory or the free space under <paramref name="outDir"/>.</summary>
    public void Check(string outDir, long? availableMemory = null, long? freeDisk = null)
    {
        new MemoryNeed(MemoryBytes, MemoryBreakdown, "lower --threads, --trials, --width or --depth").Check(availableMemory);
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
