using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Tables;
using StabilityLab.Torch.Data;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>
/// Runs a <see cref="TrainingStudySpec"/> into an output directory:
/// <c>curves.csv</c> (one row per recorded step of every run), <c>runs.csv</c> (one row per finished run: outcome
/// and fitted rate), <c>fits.json</c> (rates and the depth verdicts of <see cref="DepthVerdicts"/>) and
/// <c>manifest.json</c> (settings, grid, tool version, machine, start/end time, per-run timings). Files are
/// rewritten atomically after every run, so a killed study loses at most the run in progress; with
/// <c>resume</c>, runs already in runs.csv keep their rows and are skipped.
/// </summary>
public static class TrainingStudy
{
    public const string CurvesFile = TrainingTables.CurvesFile, RunsFile = TrainingTables.RunsFile, FitsFile = "fits.json", ManifestFile = RunManifest.FileName;

    /// <summary>Per run with a labelled test split: which test images it classified correctly (run, images, correct as
    /// hexadecimal bits, <see cref="CorrectImages"/>), for the image-by-image pairing of <see cref="Claims.AccuracyComparison"/>.</summary>
    public const string CorrectFile = "test-correct.csv";

    public static readonly string[] CurveColumns = [.. TrainingTables.CurveColumns];

    public static readonly string[] RunColumns = [.. TrainingTables.RunColumns];

    /// <param name="spec">Depths × τ rules × seeds × step sizes to train.</param>
    /// <param name="directory">Output directory (curves.csv, runs.csv, fits.json, manifest.json).</param>
    /// <param name="resume">Keep the finished runs already in the directory.</param>
    /// <param name="onStep">Progress: called with the number of steps done (skipped or early-stopped steps included),
    /// so the total is runs-to-train × <see cref="TrainingOptions.Steps"/> (<see cref="StepsToRun"/>).</param>
    /// <param name="log">A line describing the study, then one line per finished run.</param>
    /// <param name="commandLine">Recorded in the manifest when given.</param>
    /// <param name="device">Where to train (default: the runtime's device).</param>
    /// <param name="threads">libtorch threads (null: leave the runtime's setting).</param>
    /// <param name="availableMemory">the memory to plan with (null: the machine's available memory, <see cref="TrainingMemory"/>).</param>
    public static TrainingStudyResult Run(TrainingStudySpec spec, string directory, bool resume = false,
        Action<int>? onStep = null, Action<string>? log = null, string? commandLine = null, Device? device = null, int? threads = null,
        long? availableMemory = null)
    {
        spec.Validate();
        TrainingMemory.Of(spec).Check(availableMemory); // before the directory is touched: a run that cannot fit leaves nothing behind
        if (threads is int n) TorchRuntime.SetThreads(n);
        var dev = device ?? TorchRuntime.DefaultDevice;
        var dir = Path.GetFullPath(directory);
        string runsPath = Path.Combine(dir, RunsFile), curvesPath = Path.Combine(dir, CurvesFile), manifestPath = Path.Combine(dir, ManifestFile);
        var settings = spec.Settings();
        using var hold = OutputLock.Take(dir); // one writer at a time, for the whole study
        if (!resume && !TrainingStudyFiles.MayStartIn(dir, manifestPath, settings))
            throw new SpecException($"output directory {dir} is not empty and holds no training study of these settings; choose another --out (or pass --resume to continue one)");
        log?.Invoke($"train: {spec.Grid().Count()} run(s) ({StepsToRun(spec, directory, resume)} steps to train), {spec.Data.Name}, width {spec.Network.Width}, "
            + $"{spec.Options.Optimizer.Name()}, {OptionNames.PrecisionName(spec.Options.Precision)}, device {dev}, {get_num_threads()} thread(s)");
        spec.Data.CheckAvailable();
        if (!resume && (File.Exists(runsPath) || File.Exists(curvesPath)))
            throw new SpecException($"{dir} already holds training results; pass --resume to continue them or choose another --out");
        if (resume) TrainingStudyFiles.CheckSameSettings(manifestPath, settings);

        var kept = resume ? WithCorrect(TrainingStudyFiles.ReadRuns(runsPath), dir) : new Dictionary<string, (SweepRun Run, string Line)>();
        var curveLines = resume ? TrainingStudyFiles.ReadCurveLines(curvesPath, kept.Keys.ToHashSet()) : new List<string>();
        var correctLines = kept.Values.Where(v => v.Run.TestCorrect is not null).Select(v => TrainingStudyFiles.CorrectLine(v.Run, v.Run.TestCorrect!)).ToList();
        var runLines = kept.Values.Select(v => v.Line).ToList();
        var head = RunManifest.Start("train", commandLine);
        var grid = spec.Grid().ToList();
        var earlier = resume ? TrainingStudyFiles.ReadRunSeconds(manifestPath) : new Dictionary<string, double>();
        var timings = kept.Values.ToDictionary(v => v.Run.Id, v => earlier.TryGetValue(v.Run.Id, out var t) ? t : v.Run.Seconds);
        head.Write(dir, TrainingStudyFiles.ManifestBody(spec, settings, timings, dev, dataDescription: null));
        try
        {
            return Train(spec, dir, onStep, log, dev, head, settings, kept, curveLines, runLines, correctLines, grid, timings);
        }
        catch (Exception e) when (e is OperationCanceledException or SpecException or InvalidOperationException)
        {
            // Finished runs stay in runs.csv: --resume trains the rest.
            head.End(RunManifest.StatusFor(e)).TryWrite(dir, TrainingStudyFiles.ManifestBody(spec, settings, timings, dev, dataDescription: null));
            throw;
        }
    }

    private static TrainingStudyResult Train(TrainingStudySpec spec, string dir, Action<int>? onStep, Action<string>? log, Device dev,
        RunManifest head, IReadOnlyDictionary<string, string> settings, Dictionary<string, (SweepRun Run, string Line)> kept,
        List<string> curveLines, List<string> runLines, List<string> correctLines, List<(int Depth, TauRule Tau, ulong Seed, double StepSize)> grid,
        Dictionary<string, double> timings)
    {
        var results = new List<SweepRun>();
        var dataCache = new Dictionary<ulong, TrainingData>();
        // The data's tensors, made once per data draw and shared by its runs (DataTensors: same results, no conversion per run).
        var tensorCache = new Dictionary<TrainingData, DataTensors>(ReferenceEqualityComparer.Instance);
        try
        {
            return Train(spec, dir, onStep, log, dev, head, settings, kept, curveLines, runLines, correctLines, grid, timings, results, dataCache, tensorCache);
        }
        finally
        {
            foreach (var t in tensorCache.Values) t.Dispose();
        }
    }

    private static TrainingStudyResult Train(TrainingStudySpec spec, string dir, Action<int>? onStep, Action<string>? log, Device dev,
        RunManifest head, IReadOnlyDictionary<string, string> settings, Dictionary<string, (SweepRun Run, string Line)> kept,
        List<string> curveLines, List<string> runLines, List<string> correctLines, List<(int Depth, TauRule Tau, ulong Seed, double StepSize)> grid,
        Dictionary<string, double> timings, List<SweepRun> results, Dictionary<ulong, TrainingData> dataCache,
        Dictionary<TrainingData, DataTensors> tensorCache)
    {
        string runsPath = Path.Combine(dir, RunsFile), curvesPath = Path.Combine(dir, CurvesFile);
        string description;
        int index = 0, keptCount = 0;
        foreach (var (depth, tau, seed, lr) in grid)
        {
            index++;
            string id = SweepRun.MakeId(depth, tau.ToString(), seed, lr);
            if (kept.TryGetValue(id, out var old))
            {
                results.Add(old.Run);
                keptCount++;
                continue;
            }
            var data = LoadData(spec.Data, seed, dataCache);
            var netSpec = spec.SpecFor(depth, tau);
            var options = spec.Options with { StepSize = lr };
            var linear = LinearizedPrediction.AtInitialization(netSpec, data, options, seed, dev);
            if (!tensorCache.TryGetValue(data, out var tensors))
                tensorCache[data] = tensors = new DataTensors(data, options.Precision, dev);
            var run = Trainer.Run(netSpec, data, options, seed, dev, onStep, tensors);
            onStep?.Invoke(options.Steps - run.StepsDone);
            var rate = run.Outcome == TrainingOutcome.Diverged ? null : RateFit.Fit(run.Curve);
            // The linearized dynamics are those of gradient descent: SGD runs keep only the kernel's eigenvalues.
            var gap = linear is not null && options.Optimizer == OptimizerKind.GradientDescent ? linear.Compare(run.Curve, lr) : null;
            var result = new SweepRun(id, depth, tau.ToString(), netSpec.TauSchedule()[0], seed, lr, run.Outcome, run.StepsDone,
                run.DivergedAtStep, run.InitialLoss, run.FinalLoss, rate, run.FinalTrainAccuracy, run.FinalTestAccuracy,
                data.MinPairwiseDistance, run.Seconds)
            {
                WeightChange = run.RelativeWeightChange,
                NtkLambdaMin = linear?.LambdaMin,
                NtkLambdaMax = linear?.LambdaMax,
                PredictedRate = gap?.Rate?.Rate,
                CurveGap = gap?.LogGap,
                TestCorrect = run.TestCorrect,
                ZeroLoss = run.ZeroLoss,
            };
            results.Add(result);
            var common = TrainingStudyFiles.CommonFields(spec, netSpec, result);
            foreach (var c in run.Curve)
                curveLines.Add(Csv.Line(common.Concat([
                    c.Step.ToString(CultureInfo.InvariantCulture), Csv.Optional(c.Loss), Csv.Optional(c.MeanLoss),
                    Csv.Optional(c.TrainAccuracy), Csv.Optional(c.TestLoss), Csv.Optional(c.TestAccuracy)])));
            runLines.Add(TrainingStudyFiles.RunLine(spec, netSpec, result));
            timings[id] = result.Seconds;
            // Curves and test images first: runs.csv is the record of what finished (a run missing there is redone on --resume).
            AtomicFile.WriteAllText(curvesPath, Csv.File(CurveColumns, curveLines));
            if (result.TestCorrect is { } correct)
            {
                correctLines.Add(TrainingStudyFiles.CorrectLine(result, correct));
                AtomicFile.WriteAllText(Path.Combine(dir, CorrectFile), Csv.File(TrainingStudyFiles.CorrectColumns, correctLines));
            }
            AtomicFile.WriteAllText(runsPath, Csv.File(RunColumns, runLines));
            // The timings so far, so that a process that dies (a worker's segmentation fault) leaves them to --resume.
            head.Write(dir, TrainingStudyFiles.ManifestBody(spec, settings, timings, dev, dataDescription: null));
            log?.Invoke($"run {index}/{grid.Count} {Describe(result)}");
        }
        if (!File.Exists(runsPath))
        {
            AtomicFile.WriteAllText(curvesPath, Csv.File(CurveColumns, curveLines));
            AtomicFile.WriteAllText(runsPath, Csv.File(RunColumns, runLines));
        }

        var trends = DepthVerdicts.Analyze(results);
        AtomicFile.WriteAllText(Path.Combine(dir, FitsFile), TrainingStudyFiles.FitsJson(results, trends));
        // The data of the first grid point's seed describe the sweep, whichever runs were resumed.
        description = LoadData(spec.Data, grid[0].Seed, dataCache).Description;
        head.End(RunStatus.Complete).Write(dir, TrainingStudyFiles.ManifestBody(spec, settings, timings, dev, description));
        return new TrainingStudyResult(dir, results, trends, keptCount, description);
    }

    /// <summary>The result of a finished study in <paramref name="directory"/>, read back (runs.csv and the manifest's data description).</summary>
    public static TrainingStudyResult Read(string directory)
    {
        var dir = Path.GetFullPath(directory);
        var runs = WithCorrect(TrainingStudyFiles.ReadRuns(Path.Combine(dir, RunsFile)), dir).Values.Select(v => v.Run).ToList();
        string description = (string?)RunManifest.Read(dir, "a training study")["data"] ?? "";
        return new TrainingStudyResult(dir, runs, DepthVerdicts.Analyze(runs), runs.Count, description);
    }

    /// <summary>The runs with their test images from test-correct.csv, where it has them.</summary>
    private static Dictionary<string, (SweepRun Run, string Line)> WithCorrect(Dictionary<string, (SweepRun Run, string Line)> runs, string dir)
    {
        var correct = TrainingStudyFiles.ReadCorrect(Path.Combine(dir, CorrectFile));
        return runs.ToDictionary(kv => kv.Key, kv => correct.TryGetValue(kv.Key, out var c) ? (kv.Value.Run with { TestCorrect = c.Correct }, kv.Value.Line) : kv.Value);
    }

    /// <summary>Steps a sweep will train (runs not yet in runs.csv × steps per run): the progress total.</summary>
    public static long StepsToRun(TrainingStudySpec spec, string directory, bool resume)
    {
        var done = resume ? TrainingStudyFiles.ReadRuns(Path.Combine(Path.GetFullPath(directory), RunsFile)).Keys.ToHashSet() : [];
        return (long)spec.Grid().Count(g => !done.Contains(SweepRun.MakeId(g.Depth, g.Tau.ToString(), g.Seed, g.StepSize))) * spec.Options.Steps;
    }

    /// <summary>One line: grid point, outcome and rate of a run.</summary>
    public static string Describe(SweepRun r)
    {
        string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
        string head = $"L={r.Depth} tau={r.TauRule} seed={r.Seed} lr={G(r.StepSize)}: {TrainingRun.Name(r.Outcome)}";
        head += r.Outcome == TrainingOutcome.Diverged ? $" at step {r.DivergedAt}" : $" after {r.StepsDone} steps, loss ratio {G(r.FinalLoss / r.InitialLoss)}";
        if (r.Rate is { } f) head += $", rate {G(f.Rate)} [{G(f.Lower)}, {G(f.Upper)}]";
        if (r.TestAccuracy is double a) head += $", test acc {a:P1}";
        if (r.WeightChange is double w) head += $", weight change {G(w)}";
        return head + $" ({r.Seconds:F1} s)";
    }

    private static TrainingData LoadData(DataSource source, ulong seed, Dictionary<ulong, TrainingData> cache)
    {
        ulong key = source.DependsOnSeed ? seed : 0;
        if (!cache.TryGetValue(key, out var data))
        {
            if (!source.DependsOnSeed && cache.Count > 0) return cache.Values.First();
            data = source.Load(seed);
            cache[key] = data;
        }
        return data;
    }

}
