using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Tables;
using StabilityLab.Torch.Data;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>
/// The files of a training study: run and curve lines of runs.csv and curves.csv (columns: <see cref="TrainingTables"/>),
/// reading them back for --resume, fits.json and the manifest body.
/// </summary>
internal static class TrainingStudyFiles
{

    internal static List<string> CommonFields(TrainingStudySpec spec, NetworkSpec net, SweepRun r) =>
    [
        r.Id, spec.Data.Name, net.Block.Name(), net.Activation.Name(), net.Width.ToString(CultureInfo.InvariantCulture),
        net.Depth.ToString(CultureInfo.InvariantCulture), r.TauRule, Csv.Optional(r.Tau), r.Seed.ToString(CultureInfo.InvariantCulture),
        spec.Options.Optimizer.Name(), Csv.Optional(r.StepSize), spec.Options.Trained.Name(), OptionNames.PrecisionName(spec.Options.Precision),
    ];

    internal static string RunLine(TrainingStudySpec spec, NetworkSpec net, SweepRun r)
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
            Csv.Optional(r.MinPairwiseDistance),
            Csv.Optional(r.NtkLambdaMin), Csv.Optional(r.NtkLambdaMax), Csv.Optional(r.PredictedRate), Csv.Optional(r.CurveGap),
            Csv.Optional(r.ZeroLoss)]));
    }

    /// <summary>The wall time of each finished run as an earlier manifest recorded it (run_seconds); empty when there is none.</summary>
    internal static Dictionary<string, double> ReadRunSeconds(string manifestPath)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!File.Exists(manifestPath)) return result;
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))?["run_seconds"] is System.Text.Json.Nodes.JsonObject o)
                foreach (var (id, v) in o)
                    if (v is System.Text.Json.Nodes.JsonValue jv && jv.TryGetValue<double>(out var t)) result[id] = t;
        }
        catch (System.Text.Json.JsonException) { } // a damaged manifest only loses timings
        return result;
    }

    internal static Dictionary<string, (SweepRun Run, string Line)> ReadRuns(string path)
    {
        var result = new Dictionary<string, (SweepRun, string)>();
        if (!File.Exists(path)) return result;
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return result;
        var header = CsvTable.Fields(lines[0], path);
        var col = TrainingTables.RunColumns.ToDictionary(c => c, c => Array.IndexOf(header, c));
        // The linearized prediction's columns came later: a runs.csv without them reads with those values null.
        foreach (var c in TrainingTables.LinearizedColumns.Append("zero_loss")) if (col[c] < 0) col.Remove(c);
        // Wall time lives in the manifest (run_seconds), so the same seed gives the same runs.csv; files written before
        // that still carry a seconds column, which is read when present.
        int secondsCol = Array.IndexOf(header, "seconds");
        if (col.Any(kv => kv.Value < 0))
            throw new SpecException($"{path} is not a runs.csv of this tool (missing column {col.First(kv => kv.Value < 0).Key})");
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = Fields(line);
            if (f is null || f.Length != header.Length) continue; // a damaged line: the run is redone
            string Get(string c) => f[col[c]];
            double? Later(string c) => col.ContainsKey(c) ? ParseOptional(Get(c)) : null;
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
                    ParseNum(Get("delta")), secondsCol >= 0 ? ParseNum(f[secondsCol]) : double.NaN)
                {
                    WeightChange = ParseOptional(Get("weight_change")),
                    NtkLambdaMin = Later("ntk_lambda_min"),
                    NtkLambdaMax = Later("ntk_lambda_max"),
                    PredictedRate = Later("rate_pred"),
                    CurveGap = Later("curve_gap"),
                    ZeroLoss = Later("zero_loss"),
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

    /// <summary>The columns of test-correct.csv: a run's id, its test images, and which it classified correctly (<see cref="CorrectImages.ToHex"/>).</summary>
    internal static readonly string[] CorrectColumns = ["run", "images", "correct"];

    internal static string CorrectLine(SweepRun r, CorrectImages c) =>
        Csv.Line([r.Id, c.Count.ToString(CultureInfo.InvariantCulture), c.ToHex()]);

    /// <summary>The lines of test-correct.csv by run (absent file: none, as in studies written before it existed); a damaged line is skipped.</summary>
    internal static Dictionary<string, (CorrectImages Correct, string Line)> ReadCorrect(string path)
    {
        var result = new Dictionary<string, (CorrectImages, string)>(StringComparer.Ordinal);
        if (!File.Exists(path)) return result;
        foreach (var line in File.ReadLines(path).Skip(1).Where(l => l.Length > 0))
        {
            if (Fields(line) is not [var run, var images, var hex]) continue;
            try
            {
                result[run] = (CorrectImages.Parse(hex, int.Parse(images, CultureInfo.InvariantCulture)), line);
            }
            catch (FormatException)
            {
                // a damaged line: the comparison falls back to the binomial variance for this run
            }
            catch (OverflowException)
            {
            }
        }
        return result;
    }

    internal static List<string> ReadCurveLines(string path, HashSet<string> finished)
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

    internal static void CheckSameSettings(string manifestPath, IReadOnlyDictionary<string, string> settings)
    {
        if (SettingsDifference(manifestPath, settings) is { } d)
            throw new SpecException($"--resume: {Path.GetDirectoryName(manifestPath)} was made with {d.Key} = '{d.Before}', now '{d.Now}'; choose another --out");
    }

    /// <summary>
    /// Whether a directory may take a new (not resumed) study: empty apart from lock and temporary files, or holding
    /// a training study of the same settings (its manifest). Anything else is someone else's and is left alone.
    /// </summary>
    internal static bool MayStartIn(string dir, string manifestPath, IReadOnlyDictionary<string, string> settings)
    {
        if (OutputDirectory.Contents(dir).Count == 0) return true;
        if (!File.Exists(manifestPath)) return false;
        try
        {
            if ((string?)JsonNode.Parse(File.ReadAllText(manifestPath))?["command"] != "train") return false;
        }
        catch (JsonException)
        {
            return false;
        }
        return SettingsDifference(manifestPath, settings) is null;
    }

    /// <summary>The first setting a study's manifest records differently from <paramref name="settings"/>; null when none (or no manifest).</summary>
    private static (string Key, string? Before, string Now)? SettingsDifference(string manifestPath, IReadOnlyDictionary<string, string> settings)
    {
        if (!File.Exists(manifestPath)) return null;
        JsonNode? old;
        try
        {
            old = JsonNode.Parse(File.ReadAllText(manifestPath))?["settings"];
        }
        catch (JsonException e)
        {
            throw new SpecException($"--resume: cannot read {manifestPath}: {e.Message}");
        }
        if (old is not JsonObject obj) return null;
        foreach (var (k, v) in settings)
        {
            string? before = obj[k]?.GetValue<string>();
            if (before != v) return (k, before, v);
        }
        return null;
    }

    /// <summary>What the training study adds to the <see cref="RunManifest"/> head.</summary>
    internal static JsonObject ManifestBody(TrainingStudySpec spec, IReadOnlyDictionary<string, string> settings,
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

    internal static string FitsJson(IReadOnlyList<SweepRun> runs, IReadOnlyList<DepthTrend> trends)
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
                ["ntk_lambda_min"] = N(r.NtkLambdaMin),
                ["ntk_lambda_max"] = N(r.NtkLambdaMax),
                ["rate_pred"] = N(r.PredictedRate),
                ["curve_gap"] = N(r.CurveGap),
                ["zero_loss"] = N(r.ZeroLoss),
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
                ["lr"] = N(t.StepSize),
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
                ["deep_runs_fail"] = $"every run at the deepest depth diverges (non-finite loss or above the divergence factor times the initial loss) or stalls (final loss > {DepthVerdicts.StallRatio} x the smaller of the initial loss and zero_loss)",
                ["rate"] = "least-squares slope of ln loss against step over the second half of the recorded curve; 95% t-interval",
                ["rate_pred"] = "the same fit to the loss curve of gradient descent on the network linearized at its initialization: F(t) = 1/2 sum_k (1 - lr lambda_k)^(2t) (u_k . r_0)^2, lambda_k, u_k the eigenpairs of the empirical NTK of the trained weights times the objective scale (1 for sum, 1/n for mean)",
                ["curve_gap"] = "max over the recorded steps of |ln F_measured(t) - ln F_predicted(t)|",
                ["zero_loss"] = "the loss of the zero predictor on the training set, sum_i 1/2 |y_i|^2: a run's progress is measured from the smaller of it and the initial loss",
            },
            ["runs"] = runArr,
            ["trends"] = trendArr,
        };
        return JsonText.Of(root);
    }
}
