using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Sampling;
using StabilityLab.Statistics;
using StabilityLab.Tables;

namespace StabilityLab.Sweeps;

/// <summary>
/// How to run a sweep: where, on how many threads, which shard, and whether to resume; <paramref name="AvailableMemory"/>
/// replaces the machine's available memory in the size check (null: <see cref="SweepResources.AvailableMemory"/>).
/// </summary>
public sealed record SweepRunOptions(string OutDir, int Threads = 0, ShardSpec? Shard = null, bool Resume = false,
    Action<long>? Progress = null, CancellationToken Cancel = default, Action<string>? Note = null, long? AvailableMemory = null);

/// <summary>What a finished run did; <paramref name="AlreadyComplete"/>: nothing, the directory held the complete sweep.</summary>
public sealed record SweepRunSummary(int CellsInRun, int CellsComputed, int CellsResumed, double Seconds, double TrialLayersPerSecond,
    bool AlreadyComplete = false);

/// <summary>
/// Runs a sweep cell group by cell group (all τ of one block × width × depth share their draws).
/// Each finished cell is checkpointed at once under DIR/.partial (atomic files, sealed with checksums by
/// <see cref="SweepCheckpoint"/>), so an interrupted run keeps every finished cell and <c>Resume</c> completes
/// the rest, recomputing any checkpoint that is damaged; a cell whose trials nearly all died is written without
/// statistics (<see cref="CellStatistics.None"/>) and the sweep goes on; the final files are then
/// assembled in grid order and equal an uninterrupted run's bit for bit (timings aside).
/// </summary>
public static class SweepRunner
{
    public const string CellsFile = CellsTable.FileName;
    public const string TracesFile = TracesTable.FileName;
    public const string RawFile = RawTable.FileName;
    private const string PartialDir = ".partial";

    /// <summary>
    /// Work of the part of the grid a run covers, in trial-layers (trials × depth summed over
    /// cells), the unit of <see cref="SweepRunOptions.Progress"/>: time is nearly proportional to it.
    /// </summary>
    public static long TotalTrialLayers(SweepSpec spec, ShardSpec shard) =>
        spec.Cells().Where(c => shard.Contains(c.Index)).Sum(c => (long)c.Spec.Depth) * spec.Trials;

    public static SweepRunSummary Run(SweepSpec spec, SweepRunOptions options)
    {
        spec.Validate();
        // Sizes against this machine before the directory is touched; threads 0 never plans more than the memory holds.
        var resources = SweepResources.Of(spec, options.Threads, options.AvailableMemory);
        resources.Check(options.OutDir, options.AvailableMemory);
        options = options with { Threads = resources.Threads };
        if (resources.CheckpointedGroups > 0)
            (options.Note ?? Console.Error.WriteLine)($"sweep: {resources.CheckpointedGroups} cell group(s) checkpoint their forward pass ({resources.MemoryBreakdown})");
        var shard = options.Shard ?? ShardSpec.Whole;
        var all = spec.Cells();
        var mine = all.Where(c => shard.Contains(c.Index)).ToList();
        var dir = Path.GetFullPath(options.OutDir);
        var partial = Path.Combine(dir, PartialDir);
        using var hold = PrepareDirectory(dir, spec, shard, options.Resume);
        if (options.Resume && IsComplete(dir))
        {
            options.Progress?.Invoke(TotalTrialLayers(spec, shard));
            return new SweepRunSummary(mine.Count, 0, mine.Count, 0, 0, AlreadyComplete: true);
        }
        var body = SweepManifest.Body(spec, shard, all.Count, mine.Count);
        var head = RunManifest.Start("sweep");
        // The manifest (status running) comes before any checkpoint: a directory with checkpoints always says which sweep they belong to.
        head.Write(dir, body);
        Directory.CreateDirectory(partial);
        try
        {
            return RunCells(spec, options, resources, dir, partial, mine, head, body);
        }
        catch (Exception e) when (e is OperationCanceledException or SpecException or InvalidOperationException or IOException)
        {
            // Finished cells stay under .partial: --resume completes the rest.
            head.End(RunManifest.StatusFor(e)).TryWrite(dir, body);
            throw;
        }
    }

    private static SweepRunSummary RunCells(SweepSpec spec, SweepRunOptions options, SweepResources resources, string dir, string partial,
        IReadOnlyList<SweepCell> mine, RunManifest head, JsonObject body)
    {
        var clock = Stopwatch.StartNew();
        long trialLayers = 0;
        int computed = 0, resumed = 0;
        var note = options.Note ?? Console.Error.WriteLine;
        foreach (var group in mine.GroupBy(c => c.Group))
        {
            var todo = group.Where(c => !Trusted(partial, spec, c, note)).ToList();
            int skipped = group.Count() - todo.Count;
            resumed += skipped;
            options.Progress?.Invoke(skipped * spec.Trials * group.First().Spec.Depth);
            if (todo.Count == 0) continue;
            options.Cancel.ThrowIfCancellationRequested();
            var groupClock = Stopwatch.StartNew();
            var first = todo[0].Spec;
            bool[] traced = todo.Select(c => spec.TraceDepths.Contains(c.Spec.Depth)).ToArray();
            var traces = todo.Select((c, k) => traced[k] ? new LayerTrace(c.Spec.Depth, spec.Trials) : null).ToArray();
            Action<int, TrialMeasurement[]>? observe = traced.Any(t => t)
                ? (t, ms) => { for (int k = 0; k < ms.Length; k++) traces[k]?.Record(t, ms[k]); }
                : null;
            var schedules = todo.Select(c => c.Spec.TauSchedule()).ToArray();
            var results = MonteCarlo.RunExact(first, schedules, spec.Trials, spec.Seed, options.Threads,
                n => options.Progress?.Invoke(n * todo.Count * first.Depth), options.Cancel, observe: observe,
                generator: spec.ParsedGenerator(), checkpointInterval: resources.IntervalOf(group.Key));
            double seconds = groupClock.Elapsed.TotalSeconds / todo.Count;
            for (int k = 0; k < todo.Count; k++)
            {
                var cell = todo[k];
                var stats = CellStatistics.Compute(results[k], spec.BlowupLevel, spec.Bootstrap, spec.Seed);
                var row = CellsTable.Row(new CellResult(cell.Spec, "exact", spec.Seed, spec.Trials, stats));
                if (traces[k] is { } trace) AtomicFile.WriteAllText(CellPath(partial, cell.Index, ".trace.csv"), trace.CsvRows(cell));
                if (spec.Raw) AtomicFile.WriteAllText(CellPath(partial, cell.Index, ".raw.csv"), RawTable.Rows(cell.Index, results[k]));
                AtomicFile.WriteAllText(CellPath(partial, cell.Index, ".seconds"), seconds.ToString("R", CultureInfo.InvariantCulture));
                AtomicFile.WriteAllText(CellPath(partial, cell.Index, ".csv"), row + "\n");
                // The seal goes last: a sealed, intact checkpoint marks the cell done.
                SweepCheckpoint.Seal(partial, cell.Index, Parts(spec, cell));
                computed++;
            }
            trialLayers += (long)spec.Trials * first.Depth * todo.Count;
        }

        Assemble(dir, spec, mine);
        double secs = clock.Elapsed.TotalSeconds;
        double rate = trialLayers / Math.Max(secs, 1e-9);
        body["seconds"] = secs;
        body["trial_layers_per_second"] = rate;
        body["cells"] = new JsonArray(mine.Select(c => (JsonNode)new JsonObject
        {
            ["index"] = c.Index,
            ["seconds"] = double.Parse(File.ReadAllText(CellPath(partial, c.Index, ".seconds")), CultureInfo.InvariantCulture),
        }).ToArray());
        head.End(RunStatus.Complete).Write(dir, body);
        Directory.Delete(partial, recursive: true);
        return new SweepRunSummary(mine.Count, computed, resumed, secs, rate);
    }

    /// <summary>The part files of a cell's checkpoint.</summary>
    private static string[] Parts(SweepSpec spec, SweepCell cell) =>
        [".csv", ".seconds", .. spec.TraceDepths.Contains(cell.Spec.Depth) ? [".trace.csv"] : Array.Empty<string>(), .. spec.Raw ? [".raw.csv"] : Array.Empty<string>()];

    /// <summary>Whether a cell's checkpoint can be used as it is; a damaged one is removed (with a note) and recomputed.</summary>
    private static bool Trusted(string partial, SweepSpec spec, SweepCell cell, Action<string> note)
    {
        var parts = Parts(spec, cell);
        if (!SweepCheckpoint.Exists(partial, cell.Index, parts)) return false;
        if (SweepCheckpoint.Problem(partial, cell.Index, parts) is not { } problem) return true;
        note($"checkpoint of cell {cell.Index} is damaged ({problem}); recomputing it");
        SweepCheckpoint.Remove(partial, cell.Index, parts);
        return false;
    }

    /// <summary>Holds the directory (<see cref="OutputLock"/>) and checks it may be written: empty, or the same sweep when resuming.</summary>
    private static OutputLock PrepareDirectory(string dir, SweepSpec spec, ShardSpec shard, bool resume)
    {
        var hold = OutputLock.Take(dir);
        try
        {
            CheckDirectory(dir, spec, shard, resume);
            return hold;
        }
        catch
        {
            hold.Dispose();
            throw;
        }
    }

    private static void CheckDirectory(string dir, SweepSpec spec, ShardSpec shard, bool resume)
    {
        bool nonEmpty = Directory.EnumerateFileSystemEntries(dir).Any(e => !OutputLock.IsLockEntry(Path.GetFileName(e)));
        if (nonEmpty && !resume)
            throw new SpecException($"output directory {dir} is not empty; pass --resume to continue that sweep or choose another --out");
        if (nonEmpty)
        {
            // A process killed with SIGKILL can leave temporary files (never files under final names).
            foreach (var tmp in Directory.EnumerateFiles(dir, ".*.tmp", SearchOption.AllDirectories)) File.Delete(tmp);
            if (!File.Exists(Path.Combine(dir, RunManifest.FileName)) && OnlyLeftovers(dir))
            {
                // Killed before its manifest was written: nothing says which sweep made the checkpoints, so start afresh.
                var partial = Path.Combine(dir, PartialDir);
                if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
                foreach (var probe in Directory.EnumerateFiles(dir, ".write-test-*")) File.Delete(probe);
            }
            else
            {
                var old = SweepManifest.Read(dir);
                if (SweepManifest.SpecOf(old, dir).ToJson() != spec.ToJson() || SweepManifest.ShardOf(old) != shard)
                    throw new SpecException($"{dir} holds a different sweep (spec or shard differs); resume it with the same spec or choose another --out");
            }
        }
        try
        {
            var probe = Path.Combine(dir, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecException($"cannot write to output directory {dir}: {e.Message}");
        }
    }

    /// <summary>Whether a sweep directory holds its sweep complete: its files are final and are left as they are.</summary>
    public static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, RunManifest.FileName)) && RunManifest.StatusOf(SweepManifest.Read(dir)) == RunStatus.Complete
        && File.Exists(Path.Combine(dir, CellsFile)) && !Directory.Exists(Path.Combine(dir, PartialDir));

    /// <summary>Whether a directory holds only what a run killed before writing its manifest can leave (checkpoints, a write probe).</summary>
    private static bool OnlyLeftovers(string dir) =>
        Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)
            .All(n => n == PartialDir || n!.StartsWith(".write-test-", StringComparison.Ordinal) || OutputLock.IsLockEntry(n));

    /// <summary>Writes cells.csv (and traces.csv, raw.csv) from the checkpoints, in grid order.</summary>
    private static void Assemble(string dir, SweepSpec spec, IReadOnlyList<SweepCell> cells)
    {
        var partial = Path.Combine(dir, PartialDir);
        WriteConcatenated(Path.Combine(dir, CellsFile), CellsTable.Header(), cells.Select(c => CellPath(partial, c.Index, ".csv")));
        if (spec.TraceDepths.Count > 0)
            WriteConcatenated(Path.Combine(dir, TracesFile), TracesTable.Header,
                cells.Where(c => spec.TraceDepths.Contains(c.Spec.Depth)).Select(c => CellPath(partial, c.Index, ".trace.csv")));
        if (spec.Raw)
            WriteConcatenated(Path.Combine(dir, RawFile), RawTable.Header, cells.Select(c => CellPath(partial, c.Index, ".raw.csv")));
    }

    /// <summary>Streams a header and the given part files into one file, atomically.</summary>
    internal static void WriteConcatenated(string path, string header, IEnumerable<string> parts) =>
        AtomicFile.Write(path, w =>
        {
            w.Write(Encoding.UTF8.GetBytes(header + "\n"));
            foreach (var part in parts)
            {
                using var r = File.OpenRead(part);
                r.CopyTo(w);
            }
        });

    internal static string CellPath(string partial, int index, string suffix) =>
        Path.Combine(partial, $"cell-{index.ToString("D7", CultureInfo.InvariantCulture)}{suffix}");
}
