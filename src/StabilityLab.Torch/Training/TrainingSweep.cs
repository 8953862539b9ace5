using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Tables;
using StabilityLab.Torch.Data;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>What a sweep produced: every run of its grid (trained now or kept from before), and the depth trends.</summary>
public sealed record SweepResult(string Directory, IReadOnlyList<SweepRun> Runs, IReadOnlyList<DepthTrend> Trends, int Kept, string DataDescription);

/// <summary>
/// Runs a <see cref="TrainingSweepSpec"/> into an output directory:
/// <c>curves.csv</c> (one row per recorded step of every run), <c>runs.csv</c> (one row per finished run: outcome
/// and fitted rate), <c>fits.json</c> (rates and the depth verdicts of <see cref="DepthVerdicts"/>) and
/// <c>manifest.json</c> (settings, grid, tool version, machine, start/end time, per-run timings). Files are
/// rewritten atomically after every run, so a killed sweep loses at most the run in progress; with
/// <c>resume</c>, runs already in runs.csv keep their rows and are skipped.
/// </summary>
public static class TrainingSweep
{
    public const string CurvesFile = TrainingTables.CurvesFile, RunsFile = TrainingTables.RunsFile, FitsFile = "fits.json", ManifestFile = RunManifest.FileName;

    // Readable JSON: τ, δ and + stay as they are (the files are UTF-8).
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly string[] CurveColumns = [.. TrainingTables.CurveColumns];

    public static readonly string[] RunColumns = [.. TrainingTables.RunColumns];

    /// <param name="spec">Depths × τ rules × seeds × step sizes to train.</param>
    /// <param name="directory">Output directory (curves.csv, runs.csv, fits.json, manifest.json).</param>
    /// <param name="resume">Keep the finished runs already in the directory.</param>
    /// <param name="onStep">Progress: called with the number of steps done (skipped or early-stopped steps included),
    /// so the total is runs-to-train × <see cref="TrainingOptions.Steps"/> (<see cref="StepsToRun"/>).</param>
    /// <param name="log">One line per finished run.</param>
    /// <param name="commandLine">Recorded in the manifest when given.</param>
    /// <param name="device">Where to train (default: the runtime's device).</param>
    public static SweepResult Run(TrainingSweepSpec spec, string directory, bool resume = false,
        Action<int>? onStep = null, Action<string>? log = null, string? commandLine = null, Device? device = null)
    {
        spec.Validate();
        spec.Data.CheckAvailable();
        var dir = Path.GetFullPath(directory);
        string runsPath = Path.Combine(dir, RunsFile), curvesPath = Path.Combine(dir, CurvesFile), manifestPath = Path.Combine(dir, ManifestFile);
        var settings = spec.Settings();
        if (!resume && (File.Exists(runsPath) || File.Exists(curvesPath)))
            throw new SpecException($"{dir} already holds training results; pass --resume to continue them or choose another --out");
        if (resume) CheckSameSettings(manifestPath, settings);

        var kept = resume ? ReadRuns(runsPath) : new Dictionary<string, (SweepRun Run, string Line)>();
        var curveLines = resume ? ReadCurveLines(curvesPath, kept.Keys.ToHashSet()) : new List<string>();
        var runLines = kept.Values.Select(v => v.Line).ToList();
        var dev = device ?? TorchRuntime.DefaultDevice;
        var head = RunManifest.Start("train", commandLine);
        var grid = spec.Grid().ToList();
        var timings = kept.Values.ToDictionary(v => v.Run.Id, v => v.Run.Seconds);
        head.Write(dir, ManifestBody(spec, settings, timings, dev, dataDescription: null));
        try
        {
            return Train(spec, dir, onStep, log, dev, head, settings, kept, curveLines, runLines, grid, timings);
        }
        catch (Exception e) when (e is OperationCanceledException or SpecException or InvalidOperationException)
        {
            // Finished runs stay in runs.csv: --resume trains the rest.
            head.End(RunManifest.StatusFor(e)).TryWrite(dir, ManifestBody(spec, settings, timings, dev, dataDescription: null));
            throw;
        }
    }

    private static SweepResult Train(TrainingSweepSpec spec, string dir, Action<int>? onStep, Action<string>? log, Device dev,
        RunManifest head, IReadOnlyDictionary<string, string> settings, Dictionary<string, (SweepRun Run, string Line)> kept,
        List<string> curveLines, List<string> runLines, List<(int Depth, TauRule Tau, ulong Seed, double StepSize)> grid,
        Dictionary<string, double> timings)
    {
        string runsPath = Path.Combine(dir, RunsFile), curvesPath = Path.Combine(dir, CurvesFile);

        var results = new List<SweepRun>();
        var dataCache = new Dictionary<ulong, TrainingData>();
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
            var run = Trainer.Run(netSpec, data, options, seed, dev, onStep);
            onStep?.Invoke(options.Steps - run.StepsDone);
            var rate = run.Outcome == TrainingOutcome.Diverged ? null : RateFit.Fit(run.Curve);
            var result = new SweepRun(id, depth, tau.ToString(), netSpec.TauSchedule()[0], seed, lr, run.Outcome, run.StepsDone,
                run.DivergedAtStep, run.InitialLoss, run.FinalLoss, rate, run.FinalTrainAccuracy, run.FinalTestAccuracy,
                data.MinPairwiseDistance, run.Seconds)
            {
                WeightChange = run.RelativeWeightChange,
            };
            results.Add(result);
            var common = CommonFields(spec, netSpec, result);
            foreach (var c in run.Curve)
                curveLines.Add(Csv.Line(common.Concat([
                    c.Step.ToString(CultureInfo.InvariantCulture), Csv.Optional(c.Loss), Csv.Optional(c.MeanLoss),
                    Csv.Optional(c.TrainAccuracy), Csv.Optional(c.TestLoss), Csv.Optional(c.TestAccuracy)])));
            runLines.Add(RunLine(spec, netSpec, result));
            timings[id] = result.Seconds;
            // Curves first: runs.csv is the record of what finished (a run missing there is redone on --resume).
            AtomicFile.WriteAllText(curvesPath, Csv.File(CurveColumns, curveLines));
            AtomicFile.WriteAllText(runsPath, Csv.File(RunColumns, runLines));
            log?.Invoke($"run {index}/{grid.Count} {Describe(result)}");
        }
        if (!File.Exists(runsPath))
        {
            AtomicFile.WriteAllText(curvesPath, Csv.File(CurveColumns, curveLines));
            AtomicFile.WriteAllText(runsPath, Csv.File(RunColumns, runLines));
        }

        var trends = DepthVerdicts.Analyze(results);
        AtomicFile.WriteAllText(Path.Combine(dir, FitsFile), FitsJson(results, trends));
        // The data of the first grid point's seed describe the sweep, whichever runs were resumed.
        description = LoadData(spec.Data, grid[0].Seed, dataCache).Description;
        head.End(RunStatus.Complete).Write(dir, ManifestBody(spec, settings, timings, dev, description));
        return new SweepResult(dir, results, trends, keptCount, description);
    }

    /// <summary>Steps a sweep will train (runs not yet in runs.csv × steps per run): the progress total.</summary>
    public static long StepsToRun(TrainingSweepSpec spec, string directory, bool resume)
    {
        var done = resume ? ReadRuns(Path.Combine(Path.GetFullPath(directory), RunsFile)).Keys.ToHashSet() : [];
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

    private static List<string> CommonFields(TrainingSweepSpec spec, NetworkSpec net, SweepRun r) =>
    [
        r.Id, spec.Data.Name, net.Block.Name(), net.Activation.Name(), net.Width.ToString(CultureInfo.InvariantCulture),
        net.Depth.ToString(CultureInfo.InvariantCulture), r.TauRule, Csv.Optional(r.Tau), r.Seed.ToString(CultureInfo.InvariantCulture),
        spec.Options.Optimizer.Name(), Csv.Optional(r.StepSize), spec.Options.Trained.Name(), OptionNames.PrecisionName(spec.Options.Precision),
    ];

    private static string RunLine(TrainingSweepSpec spec, NetworkSpec net, SweepRun r)
    {
        var f = r.Rate;
        return Csv.Line(CommonFields(spec, net, r).Concat([
            TrainingRun.Name(r.Outcome), r.StepsDone.ToString(CultureInfo.InvariantCulture),
            r.DivergedAt?.ToString(CultureInfo.InvariantCulture) ?? "",
            Csv.Optional(r.InitialLoss), Csv.Optional(r.FinalLoss), Csv.Optional(r.FinalLoss / r.InitialLoss),
            Csv.Optional(f?.Rate), Csv.Optional(f?.Lower), Csv.Optional(f?.Upper),
            f?.FirstStep.ToString(CultureInfo.InvariantCulture) ?? "", f?.LastStep.ToString(CultureInfo.InvariantCulture) ?? "",
            f?.Points.ToString(CultureInfo.InvariantCulture) ?? "", Csv.Optional(f?.RSquared),
            Csv.Optional(r.TrainAccuracy), Csv.Optional(r.TestAccuracy), Csv.Optional(r.WeightChange),
            Csv.Optional(r.MinPairwiseDistance), Csv.Optional(r.Seconds)]));
    }

    private static Dictionary<string, (SweepRun Run, string Line)> ReadRuns(string path)
    {
        var result = new Dictionary<string, (SweepRun, string)>();
        if (!File.Exists(path)) return result;
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return result;
        var header = CsvTable.Fields(lines[0], path);
        var col = RunColumns.ToDictionary(c => c, c => Array.IndexOf(header, c));
        if (col.Any(kv => kv.Value < 0))
            throw new SpecException($"{path} is not a runs.csv of this tool (missing column {col.First(kv => kv.Value < 0).Key})");
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = Fields(line);
            if (f is null || f.Length != header.Length) continue; // a damaged line: the run is redone
            string Get(string c) => f[col[c]];
            try
            {
                RateEstimate? rate = Get("rate").Length == 0 ? null : new RateEstimate(
                    ParseNum(Get("rate")), ParseNum(Get("rate_lo")), ParseNum(Get("rate_hi")),
                    int.Parse(Get("fit_from"), CultureInfo.InvariantCulture), int.Parse(Get("fit_to"), CultureInfo.InvariantCulture),
                    int.Parse(Get("fit_points"), CultureInfo.InvariantCulture), ParseNum(Get("fit_r2")));
                var outcome = Get("outcome") switch
                {
                    "completed" => TrainingOutcome.Completed,
                    "converged" => TrainingOutcome.Converged,
                    "diverged" => TrainingOutcome.Diverged,
                    var o => throw new FormatException($"unknown outcome {o}"),
                };
                var run = new SweepRun(Get("run"), int.Parse(Get("depth"), CultureInfo.InvariantCulture), Get("tau_rule"),
                    ParseNum(Get("tau")), ulong.Parse(Get("seed"), CultureInfo.InvariantCulture), ParseNum(Get("lr")),
                    outcome, int.Parse(Get("steps_done"), CultureInfo.InvariantCulture),
                    Get("diverged_step").Length == 0 ? null : int.Parse(Get("diverged_step"), CultureInfo.InvariantCulture),
                    ParseNum(Get("initial_loss")), ParseNum(Get("final_loss")), rate,
                    ParseOptional(Get("train_acc")), ParseOptional(Get("test_acc")),
                    ParseNum(Get("delta")), ParseNum(Get("seconds")))
                {
                    WeightChange = ParseOptional(Get("weight_change")),
                };
                result[run.Id] = (run, line);
            }
            catch (FormatException)
            {
                // a damaged line: the run is redone
            }
        }
        return result;
    }

    private static List<string> ReadCurveLines(string path, HashSet<string> finished)
    {
        if (!File.Exists(path)) return [];
        return File.ReadLines(path).Skip(1).Where(l => l.Length > 0 && Fields(l) is [var run, ..] && finished.Contains(run)).ToList();
    }

    // The fields of one line of runs.csv or curves.csv; null for a damaged line (an unclosed quote).
    private static string[]? Fields(string line)
    {
        try
        {
            return CsvTable.Fields(line);
        }
        catch (SpecException)
        {
            return null;
        }
    }

    private static double ParseNum(string s) =>
        s.Length == 0 ? double.NaN : double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static double? ParseOptional(string s) => s.Length == 0 ? null : ParseNum(s);

    private static void CheckSameSettings(string manifestPath, IReadOnlyDictionary<string, string> settings)
    {
        if (!File.Exists(manifestPath)) return;
        JsonNode? old;
        try
        {
            old = JsonNode.Parse(File.ReadAllText(manifestPath))?["settings"];
        }
        catch (JsonException e)
        {
            throw new SpecException($"--resume: cannot read {manifestPath}: {e.Message}");
        }
        if (old is not JsonObject obj) return;
        foreach (var (k, v) in settings)
        {
            string? before = obj[k]?.GetValue<string>();
            if (before != v)
                throw new SpecException($"--resume: {Path.GetDirectoryName(manifestPath)} was made with {k} = '{before}', now '{v}'; choose another --out");
        }
    }

    /// <summary>What the training study adds to the <see cref="RunManifest"/> head.</summary>
    private static JsonObject ManifestBody(TrainingSweepSpec spec, IReadOnlyDictionary<string, string> settings,
        Dictionary<string, double> timings, Device device, string? dataDescription)
    {
        var settingsObj = new JsonObject();
        foreach (var (k, v) in settings) settingsObj[k] = v;
        var timingObj = new JsonObject();
        foreach (var (k, v) in timings) timingObj[k] = double.IsFinite(v) ? v : null;
        return new JsonObject
        {
            ["settings"] = settingsObj,
            ["grid"] = new JsonObject
            {
                ["depths"] = new JsonArray(spec.Depths.Select(d => (JsonNode?)d).ToArray()),
                ["tau_rules"] = new JsonArray(spec.TauRules.Select(t => (JsonNode?)t.ToString()).ToArray()),
                ["seeds"] = new JsonArray(spec.Seeds.Select(s => (JsonNode?)s).ToArray()),
                ["step_sizes"] = new JsonArray(spec.StepSizes.Select(s => (JsonNode?)s).ToArray()),
            },
            ["data"] = dataDescription,
            ["rate_fit"] = "rate r = −slope of ln F against step, least squares over the second half of the recorded curve, 95% t-interval",
            ["device"] = device.ToString(),
            ["torch_threads"] = get_num_threads(),
            ["run_seconds"] = timingObj,
        };
    }

    private static string FitsJson(IReadOnlyList<SweepRun> runs, IReadOnlyList<DepthTrend> trends)
    {
        static JsonNode? N(double? v) => v is double d && double.IsFinite(d) ? d : null;
        var runArr = new JsonArray();
        foreach (var r in runs)
            runArr.Add(new JsonObject
            {
                ["run"] = r.Id,
                ["depth"] = r.Depth,
                ["tau_rule"] = r.TauRule,
                ["seed"] = r.Seed,
                ["lr"] = r.StepSize,
                ["outcome"] = TrainingRun.Name(r.Outcome),
                ["rate"] = N(r.Rate?.Rate),
                ["rate_lo"] = N(r.Rate?.Lower),
                ["rate_hi"] = N(r.Rate?.Upper),
                ["fit_steps"] = r.Rate is null ? null : new JsonArray(r.Rate.FirstStep, r.Rate.LastStep),
                ["test_acc"] = N(r.TestAccuracy),
                ["weight_change"] = N(r.WeightChange),
            });
        var trendArr = new JsonArray();
        foreach (var t in trends)
        {
            var depthArr = new JsonArray();
            foreach (var d in t.Depths)
                depthArr.Add(new JsonObject
                {
                    ["depth"] = d.Depth,
                    ["runs"] = d.Runs,
                    ["diverged"] = d.Diverged,
                    ["stalled"] = d.Stalled,
                    ["mean_rate"] = N(d.MeanRate),
                    ["rate_lo"] = N(d.RateLower),
                    ["rate_hi"] = N(d.RateUpper),
                    ["mean_test_acc"] = N(d.MeanTestAccuracy),
                    ["mean_weight_change"] = N(d.MeanWeightChange),
                });
            trendArr.Add(new JsonObject
            {
                ["tau_rule"] = t.TauRule,
                ["lr"] = t.StepSize,
                ["depths"] = depthArr,
                ["rate_vs_ln_depth_slope"] = N(t.Slope),
                ["slope_lo"] = N(t.SlopeLower),
                ["slope_hi"] = N(t.SlopeUpper),
                ["slope_interval_contains_0"] = t.SlopeContainsZero,
                ["deep_to_shallow_rate_ratio"] = N(t.DeepToShallowRatio),
                ["rate_holds_with_depth"] = t.RateHoldsWithDepth,
                ["deep_runs_fail"] = t.DeepRunsFail,
                ["fails_from_depth"] = t.FailsFromDepth,
            });
        }
        var root = new JsonObject
        {
            ["tests"] = new JsonObject
            {
                ["rate_holds_with_depth"] = $"every run at every depth neither diverges nor stalls, and mean rate(deepest) / mean rate(shallowest) >= {DepthVerdicts.RatioThreshold}",
                ["deep_runs_fail"] = $"every run at the deepest depth diverges (non-finite loss or above the divergence factor times the initial loss) or stalls (final loss > {DepthVerdicts.StallRatio} x initial loss)",
                ["rate"] = "least-squares slope of ln loss against step over the second half of the recorded curve; 95% t-interval",
            },
            ["runs"] = runArr,
            ["trends"] = trendArr,
        };
        return root.ToJsonString(JsonOptions) + "\n";
    }
}
