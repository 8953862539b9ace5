using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace StabilityLab.Torch.Training;

/// <summary>
/// Trains planned training studies in worker processes, several at once, one study per process (each on one libtorch
/// thread): how a claims check uses more than one core for its training studies. Two runs trained at once in one process
/// crashed it now and then, so a process never trains two runs at once; separate processes share nothing but the files.
/// A worker is this tool started as <c>&lt;command&gt; train-study SPEC.json --out DIR</c> (<see cref="CommandName"/>):
/// it reads the spec (<see cref="TrainingStudySpecJson"/>), trains the study into DIR exactly as the check itself would
/// (<see cref="TrainingStudy.Run"/> with resume, one thread) and prints "+k" for every k steps done, which the parent
/// turns into progress. Results are the same bits as in-process training; a study whose worker fails is left as far as it
/// got, and the caller trains the rest itself.
/// </summary>
/// <param name="command">The command line that starts this tool: its apphost, or the dotnet host and the tool's dll.</param>
public sealed class TrainingWorkers(IReadOnlyList<string> command)
{
    /// <summary>The (hidden) CLI command a worker runs.</summary>
    public const string CommandName = "train-study";

    public IReadOnlyList<string> Command { get; } = command.Count > 0 ? command : throw new ArgumentException("give the command that starts the tool", nameof(command));

    /// <summary>
    /// Trains every study, at most <paramref name="workers"/> at once, the costliest first (so that the last to finish is
    /// a short one). Returns each study directory's worker exit code (0: complete). <paramref name="advance"/> is called
    /// with steps done, from one thread at a time.
    /// </summary>
    public IReadOnlyDictionary<string, int> Run(IReadOnlyList<(TrainingStudySpec Spec, string Directory)> studies, int workers,
        Action<long> advance, Action<string>? log = null)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), "at least one worker");
        var queue = new Queue<(TrainingStudySpec Spec, string Directory)>(studies.OrderByDescending(s => Cost(s.Spec)));
        var results = new Dictionary<string, int>(StringComparer.Ordinal);
        var running = new List<Process>();
        var gate = new object();
        var temp = Directory.CreateTempSubdirectory("stabilitylab-workers-").FullName;
        // A signal to the parent stops its workers too (they train into its output; a new run resumes or redoes them).
        void StopAll(PosixSignalContext _)
        {
            lock (gate)
                foreach (var p in running)
                    try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopAll);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopAll);
        try
        {
            var threads = Enumerable.Range(0, Math.Min(workers, queue.Count)).Select(w => new Thread(() =>
            {
                while (true)
                {
                    (TrainingStudySpec Spec, string Directory) next;
                    lock (gate)
                    {
                        if (queue.Count == 0) return;
                        next = queue.Dequeue();
                    }
                    int code = RunOne(next.Spec, next.Directory, Path.Combine(temp, $"{w}.json"), running, gate, advance, log);
                    lock (gate) results[next.Directory] = code;
                }
            }) { IsBackground = true, Name = $"training worker {w}" }).ToList();
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
        }
        return results;
    }

    private int RunOne(TrainingStudySpec spec, string dir, string specPath, List<Process> running, object gate, Action<long> advance, Action<string>? log)
    {
        File.WriteAllText(specPath, TrainingStudySpecJson.Write(spec));
        var start = new ProcessStartInfo(Command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in Command.Skip(1)) start.ArgumentList.Add(a);
        foreach (var a in new[] { CommandName, specPath, "--out", dir }) start.ArgumentList.Add(a);
        var errors = new List<string>();
        Process process;
        lock (gate)
        {
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("no process");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                log?.Invoke($"check: cannot start a training worker ({Command[0]}: {e.Message}); the check trains {Path.GetFileName(dir)} itself");
                return -1;
            }
            running.Add(process);
        }
        using (process)
        {
            process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (errors) { errors.Add(line); if (errors.Count > 20) errors.RemoveAt(0); } };
            process.BeginErrorReadLine();
            while (process.StandardOutput.ReadLine() is { } line)
                if (line.StartsWith('+') && long.TryParse(line.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long k))
                    lock (gate) advance(k);
            process.WaitForExit();
            lock (gate) running.Remove(process);
            if (process.ExitCode != 0)
                lock (errors) log?.Invoke($"check: the worker training {Path.GetFileName(dir)} exited with code {process.ExitCode}"
                    + (errors.Count > 0 ? $" ({errors[^1]})" : "") + "; the check trains what it left itself");
            return process.ExitCode;
        }
    }

    /// <summary>A rough cost for the order of the queue: multiply-adds of the forward passes, Σ over runs of steps × L × m² ×
    /// examples per step (full batch, or the minibatch plus the evaluations spread over the steps), halved in float32.</summary>
    private static double Cost(TrainingStudySpec spec)
    {
        var o = spec.Options;
        int n = Math.Max(1, spec.Data.Settings.TryGetValue("count", out var c) || spec.Data.Settings.TryGetValue("train_count", out c) ? int.Parse(c, CultureInfo.InvariantCulture) : 1);
        int test = spec.Data.Settings.TryGetValue("test_count", out var t) ? int.Parse(t, CultureInfo.InvariantCulture) : 0;
        double perStep = o.Optimizer == OptimizerKind.Sgd ? Math.Min(o.BatchSize, n) + 2.0 * (n + test) / Math.Max(1, o.Steps) : n;
        double precision = o.Precision == TorchSharp.torch.ScalarType.Float32 ? 0.5 : 1;
        double width = spec.Network.Width;
        return spec.Grid().Sum(g => (double)g.Depth) * o.Steps * width * width * perStep * precision;
    }
}
