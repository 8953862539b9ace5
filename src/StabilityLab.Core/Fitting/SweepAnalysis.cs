using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Tables;
using StabilityLab.Sweeps;
using StabilityLab.Theory;

namespace StabilityLab.Fitting;

/// <summary>Options of `stabilitylab fit`.</summary>
public sealed record FitOptions(double BlowupLevel = 10, int MinDepth = 16, int Resamples = 400, double ConverseTolerance = 0.1,
    double TrendLimit = GrowthChecks.DefaultMargin, double Alpha = 0.05, double ThresholdTolerance = 0.02);

/// <summary>
/// Everything `fit` found: thresholds, their plain law and their exponent (with the finite-size part divided out where the
/// finite-width theory applies; the first (block, width) group's, like the law), converse slopes, stability checks, the checks before their family is
/// known (a report resolves them together with its own), and the verdicts of `fit` alone (its checks as one Holm family).
/// </summary>
public sealed record FitReport(IReadOnlyList<ThresholdEstimate> Thresholds, ThresholdLaw? Law, string ThresholdMethod,
    IReadOnlyList<(double C, LineFit? Fit, double? TheorySlope, IReadOnlyList<GrowthPoint> Points)> Converse,
    IReadOnlyList<(double A, LineFit? Trend, IReadOnlyList<GrowthPoint> Points)> Stability,
    IReadOnlyList<Check> Checks)
{
    /// <summary>The exponent analysis behind the threshold verdict (<see cref="ThresholdExponent"/>), null when none was possible.</summary>
    public ThresholdExponentFit? Exponent { get; init; }

    public IReadOnlyList<Verdict> Verdicts { get; } = VerdictFamily.Resolve(Checks);
}

/// <summary>
/// Reads a sweep directory (cells.csv, and raw.csv when present) and runs the analyses of docs/science.md §2, claims 1–3:
/// the threshold fit τ* = C·L^α, the converse growth slope for τ = L^(−1/2+c), and the stability of
/// τ = a/√L, each ending in a verdict. A check that applies but cannot be computed is INCONCLUSIVE with its
/// reason; the p-values of the checks are Holm-adjusted as one family (<see cref="VerdictFamily"/>).
/// </summary>
public static class SweepAnalysis
{
    /// <summary>Runs every analysis that the sweep's cells allow.</summary>
    /// <param name="dir">the sweep directory.</param>
    /// <param name="o">the options of `fit`.</param>
    /// <param name="reliable">whether a cell's log E ratio can be trusted, for the first-moment check (default: the cell's own flag, <see cref="CellRow.HasTrustedMean"/>).</param>
    public static FitReport Run(string dir, FitOptions o, Func<CellRow, bool>? reliable = null)
    {
        var cellsPath = Path.Combine(dir, SweepRunner.CellsFile);
        if (!File.Exists(cellsPath)) throw new SpecException($"{dir} has no {SweepRunner.CellsFile}: not a sweep directory");
        var cells = CellsTable.Read(cellsPath);
        if (cells.Count == 0) throw new SpecException($"{cellsPath} has no cells");
        var rawPath = Path.Combine(dir, SweepRunner.RawFile);
        var raw = File.Exists(rawPath) ? RawTable.Read(rawPath, "fwd_log_sq", cells.Count, cells.Max(c => c.Trials)) : null;
        var checks = new List<Check>();

        // Threshold: every (block, width, depth) group with at least 3 τ values.
        var thresholds = new List<ThresholdEstimate>();
        var applicable = new List<(BlockKind Block, int Width, int Depth)>();
        string method = raw is null ? "blow-up fraction crossing 1/2 (Clopper–Pearson grid-bracket interval)" : "median crossing 2·log K (bootstrap over trials)";
        var indexed = cells.Select((c, i) => (Cell: c, Index: i)).ToList();
        foreach (var g in indexed.GroupBy(c => (c.Cell.Block, c.Cell.Width, c.Cell.Depth)))
        {
            var members = g.GroupBy(c => c.Cell.Tau).Select(x => x.First()).OrderBy(c => c.Cell.Tau).ToList();
            if (members.Count < 3) continue;
            applicable.Add((g.Key.Block, g.Key.Width, g.Key.Depth));
            var est = raw is null
                ? FromBlowupFraction(g.Key.Block, g.Key.Width, g.Key.Depth, members.Select(m => m.Cell).ToList())
                : ThresholdFit.Estimate(new ThresholdGroup(g.Key.Block, g.Key.Width, g.Key.Depth,
                    members.Select(m => m.Cell.Tau).ToArray(), members.Select(m => raw[m.Index]).ToArray()), o.BlowupLevel, o.Resamples);
            if (est is not null) thresholds.Add(est);
        }
        ThresholdLaw? law = null;
        ThresholdExponentFit? exponent = null;
        foreach (var grp in applicable.GroupBy(k => (k.Block, k.Width)))
        {
            string claim = $"sharp threshold ({grp.Key.Block.Name()}, m={grp.Key.Width})", prediction = "τ*(L) ∝ L^α with α = −1/2";
            string test = F($"equivalence (two one-sided t-tests): PASS when α's 90% interval lies within ±{o.ThresholdTolerance:G3} of −1/2, Holm-adjusted p ≤ {o.Alpha:G3}; FAIL when α is significantly outside");
            var ests = thresholds.Where(t => t.Block == grp.Key.Block && t.Width == grp.Key.Width).ToList();
            var l = ThresholdFit.Law(ests, o.MinDepth);
            law ??= l;
            var activation = cells.First(c => c.Block == grp.Key.Block && c.Width == grp.Key.Width).Activation;
            var exp = ThresholdExponent.Fit(ests, activation, o.BlowupLevel, o.MinDepth, midpoints: true);
            var (line, _, how) = exp;
            if (line is not null) exponent ??= exp;
            if (line is null)
            {
                checks.Add(Check.Inconclusive(claim, prediction, test,
                    F($"τ* found at {ests.Count(e => e.Depth >= o.MinDepth)} of {grp.Count(k => k.Depth >= o.MinDepth)} depths ≥ {o.MinDepth} ") +
                    "(no crossing inside the τ grid, or too few live resamples); the exponent needs 3"));
                continue;
            }
            var (eq, pOut) = SlopeTests.Around(line, -0.5, o.ThresholdTolerance, o.Alpha);
            checks.Add(Check.Equivalence(claim, prediction,
                F($"α = {line.Slope:F4}, 90% [{eq.Lo - 0.5:F4}, {eq.Hi - 0.5:F4}] over L ≥ {o.MinDepth} ({line.Points} depths, χ²_red {line.ReducedChiSquare:G3}; {how})"), test,
                eq, pOut, o.Alpha, adj => F($"underpowered: α's interval [{eq.Lo - 0.5:F3}, {eq.Hi - 0.5:F3}] is neither within nor outside ±{o.ThresholdTolerance:G3} of −1/2 (Holm-adjusted p = {adj:G3})")));
        }

        // Converse: members of a family τ = a·L^(−1/2+c), whatever the family is called.
        var converse = new List<(double, LineFit?, double?, IReadOnlyList<GrowthPoint>)>();
        foreach (var fam in cells.Select(c => (Cell: c, C: ConverseExcess(c.Rule))).Where(x => x.C is not null)
                     .GroupBy(x => (x.Cell.Block, x.Cell.Width, C: x.C!.Value), x => x.Cell))
        {
            var rows = fam.OrderBy(c => c.Depth).ToList();
            double cval = fam.Key.C;
            var pts = Points(rows);
            var fit = GrowthFit.Slope(pts, o.MinDepth);
            double? theory = null;
            var rule = rows[0].Rule;
            var used = pts.Where(p => p.Depth >= o.MinDepth).Select(p => p.Depth).ToList();
            if (IsPostRelu(rows[0]) && used.Count >= 2)
                theory = GrowthFit.TheorySlope(used, L => InfiniteWidthRecursion.PostRelu(rule.Schedule(L)).LogRatio[^1]);
            converse.Add((cval, fit, theory, pts));
            checks.Add(GrowthChecks.Converse(F($"converse: τ = L^(−1/2+{cval:G3}) unbounded ({fam.Key.Block.Name()}, m={fam.Key.Width})"),
                F($"log E ratio ∝ L^(2c), slope → {2 * cval:G3}") + (theory is { } ts ? F($" (infinite-width theory over these depths: {ts:F3})") : ""),
                fit, cval, o.ConverseTolerance, o.MinDepth, o.Alpha));
        }

        // Stability: rules with τ·√L constant over ≥ 3 depths (τ = a/√L).
        var stability = new List<(double, LineFit?, IReadOnlyList<GrowthPoint>)>();
        var seenA = new HashSet<(BlockKind, int, Activation, double)>();
        foreach (var rule in cells.GroupBy(c => (c.Block, c.Width, c.Rule)))
        {
            var rows = rule.OrderBy(c => c.Depth).ToList();
            if (rows.Count < 3) continue;
            double a = rows[0].Tau * Math.Sqrt(rows[0].Depth);
            if (rows.Any(r => Math.Abs(r.Tau * Math.Sqrt(r.Depth) - a) > 1e-9 * a)) continue;
            // Two rules with the same a (1/sqrt(L) and L^-beta at β = 1/2) share their draws: check once.
            if (!seenA.Add((rule.Key.Block, rule.Key.Width, rows[0].Activation, Math.Round(a, 9)))) continue;
            var pts = Points(rows);
            var trend = GrowthFit.Slope(pts, o.MinDepth);
            stability.Add((a, trend, pts));
            double limit = 2 * a * a; // L·log(1 + 2a²/L) ≤ 2a² bounds log E ratio for every L (post block)
            var worst = pts.MaxBy(p => p.LogMeanRatio)!;
            var trusted = rows.Where(r => r.HasTrustedMean).ToList();
            if (IsPostRelu(rows[0]) && trusted.Count == 0)
                checks.Add(Check.Inconclusive(F($"stability: τ = {a:G3}/√L bounded ({rule.Key.Block.Name()}, m={rule.Key.Width})"),
                    F($"log E ratio ≤ 2a² = {limit:G4} at every L"), "one-sided z-test per depth, Bonferroni over the depths",
                    "no depth has a trusted interval for log E ratio (fwd_log_mean_sq_ok = 0)"));
            else if (IsPostRelu(rows[0]))
            {
                var bound = BoundCheck.LogMeanRatio(trusted.Select(r => new BoundCell(r.Depth, r.Tau, r.Width, r.FwdLogMeanSq, (r.FwdLogMeanSqHi - r.FwdLogMeanSqLo) / 3.92)).ToList(),
                    _ => (double.NegativeInfinity, limit), o.Alpha);
                checks.Add(new Check(F($"stability: τ = {a:G3}/√L bounded ({rule.Key.Block.Name()}, m={rule.Key.Width})"),
                    F($"log E ratio ≤ 2a² = {limit:G4} at every L"),
                    F($"max over L: {worst.LogMeanRatio:F3} [{worst.Lo:F3}, {worst.Hi:F3}] at L = {worst.Depth}"),
                    F($"one-sided z-test per depth, Bonferroni over the {bound.Cells} depths, Holm-adjusted p ≤ {o.Alpha:G3} contradicts"),
                    bound.PValue, adj => (adj <= o.Alpha ? VerdictOutcome.Fail : VerdictOutcome.Pass, null)));
            }
            checks.Add(GrowthChecks.NoGrowth(F($"stability: no growth in L at τ = {a:G3}/√L ({rule.Key.Block.Name()}, m={rule.Key.Width})"),
                trend, o.TrendLimit, o.MinDepth, o.Alpha));
        }

        // Exact first-moment bounds, every post/ReLU cell with a parseable rule.
        if (FirstMomentCheck.Build(cells, o.Alpha, reliable) is { } fm) checks.Add(fm);

        return new FitReport(thresholds, law, method, converse, stability, checks) { Exponent = exponent };
    }

    private static List<GrowthPoint> Points(IEnumerable<CellRow> rows) =>
        rows.Select(r => new GrowthPoint(r.Depth, r.FwdLogMeanSq, r.FwdLogMeanSqLo, r.FwdLogMeanSqHi)).ToList();

    /// <summary>The paper's network (post block, ReLU), where the infinite-width theory and the exact bounds apply.</summary>
    public static bool IsPostRelu(CellRow c) => c.Block == BlockKind.Post && c.Activation == Activation.Relu;

    /// <summary>
    /// c of a cell whose rule is a member of a family τ = a·L^(−1/2+c) (docs/science.md §2, claim 2: the converse), else null:
    /// decided by the rule's meaning, not its text.
    /// </summary>
    public static double? ConverseExcess(TauRule rule) => rule.TryExponentFamily(-0.5, out double c) ? c : null;

    /// <summary>Without per-trial data: τ* where the blow-up fraction crosses 1/2, with a grid-bracket interval.</summary>
    private static ThresholdEstimate? FromBlowupFraction(BlockKind block, int width, int depth, IReadOnlyList<CellRow> rows)
    {
        var live = rows.Select(r => double.IsFinite(r.BlowupFrac) ? r.Trials - r.DeadTrials : 0).ToArray();
        var blowups = rows.Select((r, i) => (int)Math.Round(r.BlowupFrac * live[i])).ToArray();
        return BlowupFractionThreshold.Estimate(rows.Select(r => r.Tau).ToArray(), blowups, live) is { } e
            ? new ThresholdEstimate(block, width, depth, e.TauStar, e.Lo, e.Hi, e.LogTauSe, 0)
            : null;
    }

    /// <summary>fits.json: the estimates, fitted laws and verdicts, numbers as numbers.</summary>
    public static string ToJson(FitReport r, FitOptions o)
    {
        var root = new JsonObject
        {
            ["tool"] = "stabilitylab",
            ["version"] = RunInfo.Version,
            ["options"] = JsonSerializer.SerializeToNode(o),
            ["threshold"] = new JsonObject
            {
                ["method"] = r.ThresholdMethod,
                ["level_log_sq"] = 2 * Math.Log(o.BlowupLevel),
                ["per_depth"] = new JsonArray(r.Thresholds.Select(t => (JsonNode)new JsonObject
                {
                    ["block"] = t.Block.Name(), ["width"] = t.Width, ["depth"] = t.Depth,
                    ["tau_star"] = t.TauStar, ["lo"] = t.Lo, ["hi"] = t.Hi, ["log_tau_se"] = t.LogTauSe,
                    ["beta_star"] = -Math.Log(t.TauStar) / Math.Log(t.Depth),
                }).ToArray()),
                ["law"] = r.Law is null ? null : Line(r.Law.Line, "alpha"),
                ["exponent"] = r.Exponent?.Line is not { } e ? null : Exponent(r.Exponent, e, o),
            },
            ["converse"] = new JsonArray(r.Converse.Select(c => (JsonNode)new JsonObject
            {
                ["c"] = c.C, ["predicted_slope"] = 2 * c.C, ["theory_slope_over_fitted_depths"] = c.TheorySlope,
                ["fit"] = c.Fit is null ? null : Line(c.Fit, "slope"),
            }).ToArray()),
            ["stability"] = new JsonArray(r.Stability.Select(s => (JsonNode)new JsonObject
            {
                ["a"] = s.A, ["limit_log_mean_ratio"] = 2 * s.A * s.A,
                ["max_log_mean_ratio"] = s.Points.Max(p => p.LogMeanRatio),
                ["trend"] = s.Trend is null ? null : Line(s.Trend, "slope"),
            }).ToArray()),
            ["summary"] = VerdictJson.Summary(r.Verdicts, o.Alpha),
            ["verdicts"] = new JsonArray(r.Verdicts.Select(v => (JsonNode)VerdictJson.Of(v)).ToArray()),
        };
        return JsonText.Of(root);
    }

    /// <summary>threshold.exponent: the fit behind the verdict; with the finite-size part divided out, τ*(L; m, K) at each
    /// fitted depth and between them, and its large-L limit, so a reader (and the threshold figure) can redraw the fitted law.</summary>
    private static JsonObject Exponent(ThresholdExponentFit x, LineFit e, FitOptions o)
    {
        var j = Line(e, "alpha");
        j["finite_size_corrected"] = x.FiniteSizeCorrected;
        j["model"] = x.FiniteSizeCorrected ? "tau_star = tau_star_predicted(L; m, K) * sqrt(L) * exp(intercept) * L^alpha" : "tau_star = exp(intercept) * L^alpha";
        j["note"] = x.Note;
        if (x.FiniteSizeCorrected)
        {
            j["width"] = x.Width;
            j["large_depth_limit"] = ThresholdPrediction.LargeDepthLimit(x.Width, o.BlowupLevel);
            j["predicted"] = new JsonArray(x.Predicted.OrderBy(p => p.Key).Select(p => (JsonNode)new JsonObject { ["depth"] = p.Key, ["tau_star"] = p.Value }).ToArray());
        }
        return j;
    }

    private static JsonObject Line(LineFit f, string name) => new()
    {
        [name] = f.Slope, [name + "_lo"] = f.SlopeLo, [name + "_hi"] = f.SlopeHi, ["intercept"] = f.Intercept,
        ["reduced_chi_square"] = f.ReducedChiSquare, ["points"] = f.Points,
    };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
