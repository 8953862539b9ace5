using System.Globalization;
using System.Runtime.InteropServices;

namespace StabilityLab.Sweeps;

/// <summary>
/// What a stability study did: the run's summary, or null when Ctrl-C/SIGTERM stopped it (its finished
/// cells are kept, and rerunning with resume completes it); <paramref name="StoppedBy"/> names the signal that stopped it.
/// </summary>
public sealed record StabilityStudyResult(string Directory, SweepRunSummary? Summary, PosixSignal? StoppedBy = null)
{
    public bool Interrupted => Summary is null;

    /// <summary>The shell's convention for a process stopped by a signal (<see cref="ExitCodeOf"/>).</summary>
    public int? SignalExitCode => Interrupted ? ExitCodeOf(StoppedBy ?? PosixSignal.SIGINT) : null;

    /// <summary>128 + the signal's number: SIGINT 130, SIGTERM 143 (any stop that is not SIGTERM counts as SIGINT).</summary>
    public static int ExitCodeOf(PosixSignal signal) => signal == PosixSignal.SIGTERM ? 143 : 130;

    /// <summary>One line for the log: what was computed, or how to complete an interrupted study.</summary>
    public string Report => Summary is { AlreadyComplete: true } done
        ? $"sweep: already complete ({done.CellsInRun} cells); nothing to do → {Directory}"
        : Summary is { } s
        ? string.Create(CultureInfo.InvariantCulture,
            $"sweep: {s.CellsInRun} cells ({s.CellsComputed} computed, {s.CellsResumed} resumed) in {s.Seconds:F1} s, {s.TrialLayersPerSecond:E3} trial-layers/s → {Directory}")
        : $"stabilitylab: interrupted; finished cells are kept in {Directory}; run the same command with --resume to complete it";
}

/// <summary>
/// The stability study: a <see cref="SweepSpec"/> run by <see cref="SweepRunner"/> with Ctrl-C and SIGTERM
/// turned into a clean, resumable stop (finished cells are checkpointed; see <see cref="SweepRunner"/>).
/// </summary>
public static class StabilityStudy
{
    /// <summary>Work of a run in trial-layers, the unit of the progress callback of <see cref="Run"/>.</summary>
    public static long Work(SweepSpec spec, ShardSpec shard) => SweepRunner.TotalTrialLayers(spec, shard);

    /// <param name="spec">The grid and sampling settings.</param>
    /// <param name="outDir">Output directory (cells.csv, manifest.json, …).</param>
    /// <param name="threads">Worker threads (0 = all cores).</param>
    /// <param name="shard">The part of the grid to run.</param>
    /// <param name="resume">Keep the finished cells already in the directory.</param>
    /// <param name="progress">Trial-layers done (thread-safe calls); the total is <see cref="Work"/>.</param>
    /// <param name="note">One-line notes, such as a damaged checkpoint being recomputed (default: standard error).</param>
    /// <param name="availableMemory">The memory to plan with (null: the machine's available memory).</param>
    public static StabilityStudyResult Run(SweepSpec spec, string outDir, int threads, ShardSpec shard, bool resume, Action<long>? progress = null,
        Action<string>? note = null, long? availableMemory = null)
    {
        spec.Validate();
        var dir = Path.GetFullPath(outDir);
        using var cts = new CancellationTokenSource();
        PosixSignal? stoppedBy = null;
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stoppedBy ??= PosixSignal.SIGINT; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stoppedBy ??= PosixSignal.SIGTERM; cts.Cancel(); });
        try
        {
            return new StabilityStudyResult(dir, SweepRunner.Run(spec, new SweepRunOptions(outDir, threads, shard, resume, progress, cts.Token, note, availableMemory)));
        }
        catch (OperationCanceledException)
        {
            return new StabilityStudyResult(dir, null, stoppedBy ?? PosixSignal.SIGINT);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
