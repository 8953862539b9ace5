using System.Globalization;
using System.Text;
using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Tables;
using StabilityLab.Theory;
using StabilityLab.Torch.Training;

namespace StabilityLab.Reports;

/// <summary>The Markdown sections of the reproduction's README.md: theory beside the measurements, and where the data are.</summary>
public static class ReportTables
{
    public static string Threshold(FitReport fit)
    {
        var sb = new StringBuilder();
        sb.AppendLine(F($"Criterion: {fit.ThresholdMethod}, K = 10 (the median of ‖h_L‖²/‖h_0‖² reaches 100)."));
        sb.AppendLine();
        var predicted = fit.Exponent is { FiniteSizeCorrected: true } x ? x.Predicted : null;
        var agreement = fit.Exponent?.Agreement.ToDictionary(a => a.Depth) ?? [];
        sb.AppendLine("| L | τ* | 95% interval | β* = −log τ*/log L | τ*·√L | local slope from the previous L |" + (predicted is null ? "" : " predicted τ*(L; m, K)·√L | z |"));
        sb.AppendLine("|---|---|---|---|---|---|" + (predicted is null ? "" : "---|---|"));
        ThresholdEstimate? prev = null;
        foreach (var t in fit.Thresholds.OrderBy(t => t.Depth))
        {
            string local = prev is null ? "" : F($"{Math.Log(t.TauStar / prev.TauStar) / Math.Log((double)t.Depth / prev.Depth):F3}");
            string pred = predicted is null ? "" : (predicted.TryGetValue(t.Depth, out double p) ? F($" {p * Math.Sqrt(t.Depth):F3} |") : " – |")
                + (agreement.TryGetValue(t.Depth, out var a) ? F($" {a.Z:F2} |") : " – |");
            sb.AppendLine(F($"| {t.Depth} | {t.TauStar:G4} | [{t.Lo:G4}, {t.Hi:G4}] | {-Math.Log(t.TauStar) / Math.Log(t.Depth):F3} | {t.TauStar * Math.Sqrt(t.Depth):F3} | {local} |") + pred);
            prev = t;
        }
        if (fit.Exponent is { Line: { } e } ex && ex.FiniteSizeCorrected)
        {
            sb.AppendLine();
            sb.AppendLine(F($"Exponent with the finite-size part divided out (the analysis behind the verdict, docs/finite-width.md §7): the weighted slope of ln(τ*/(τ*(L; m, K)·√L)) against ln L over L ≥ {fit.Thresholds.Where(t => ex.Predicted.ContainsKey(t.Depth)).Min(t => t.Depth)} is α = {e.Slope:F4} [{e.SlopeLo:F4}, {e.SlopeHi:F4}] (95%), reduced χ² = {e.ReducedChiSquare:F2} ({e.Points} depths).{AgreementSentence(ex)} τ*·√L falls towards the prediction's large-L limit √(ln K/(1 − 2/m)) = {StabilityLab.Theory.ThresholdPrediction.LargeDepthLimit(ex.Width, 10):F3} as the theory says (figure `threshold`)."));
        }
        if (fit.Law is { } law)
        {
            sb.AppendLine();
            sb.AppendLine(F($"For comparison, the plain fit τ* = C·L^α over L ≥ {law.Points.Min(p => p.Depth)}: α = {law.Alpha:F3} [{law.Line.SlopeLo:F3}, {law.Line.SlopeHi:F3}], C = {law.C:F3} (weighted least squares in log–log, reduced χ² = {law.Line.ReducedChiSquare:F2}). A straight line does not describe these points: at small L the per-layer growth is not yet in its small-τ regime, so τ*(L) falls faster than L^(−1/2) and the local slope approaches −1/2 only as L grows, while τ*·√L settles to a constant (at τ = a/√L, log E ratio → 2a²)."));
        }
        return sb.ToString();
    }

    /// <summary>The measured τ* against τ*(L; m, K) with nothing fitted: what the z column adds up to.</summary>
    private static string AgreementSentence(ThresholdExponentFit x) => x.AgreementTest is not { } t ? "" :
        F($" Against the prediction itself, nothing fitted: z = ln(τ*/τ*(L; m, K))/SE, with the prediction passed through the same interpolation between grid τ values as the measurement, gives χ² = {t.ChiSquare:F1} on {t.Dof} depths (p = {t.P:G2}), largest |z| {x.Agreement.Max(a => Math.Abs(a.Z)):F2}.");

    public static string Training(TrainingStudyResult r, TrainingStudySpec spec)
    {
        var sb = new StringBuilder();
        sb.AppendLine(F($"Full-batch gradient descent on {r.DataDescription}; width {spec.Network.Width}, W trained, η = {spec.StepSizes[0]:G3}, {spec.Options.Steps} steps, seeds {string.Join(", ", spec.Seeds)}. Rate = −slope of ln loss against step over the second half of the curve (95% t-interval over seeds)."));
        sb.AppendLine();
        sb.AppendLine("NTK-predicted rate: the same fit to the loss curve of gradient descent on the network linearized at its initialization (the empirical NTK Θ of the trained weights); largest log gap: max over steps of |ln F_measured − ln F_predicted| (docs/claims.md §8).");
        sb.AppendLine();
        sb.AppendLine("| τ rule | L | mean rate | 95% interval | NTK-predicted rate | mean λ_min(Θ) | largest log gap | diverged | stalled | mean ‖θ_T − θ_0‖/‖θ_0‖ |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var t in r.Trends)
            foreach (var d in t.Depths)
            {
                var runs = r.Runs.Where(x => t.Includes(x) && x.Depth == d.Depth).ToList();
                // A statistic over the depth's runs that have the value (null when none has it).
                double? Over(Func<SweepRun, double?> f, Func<IEnumerable<double>, double> agg) => runs.Select(f).OfType<double>().ToList() is { Count: > 0 } v ? agg(v) : null;
                sb.AppendLine(F($"| {t.TauRule} | {d.Depth} | {Opt(d.MeanRate)} | {(d.RateLower is null ? "– (one seed: no interval over draws)" : F($"[{Opt(d.RateLower)}, {Opt(d.RateUpper)}]"))} | {Opt(Over(x => x.PredictedRate, Enumerable.Average))} | {Opt(Over(x => x.NtkLambdaMin, Enumerable.Average))} | {Opt(Over(x => x.CurveGap, Enumerable.Max))} | {d.Diverged}/{d.Runs} | {d.Stalled}/{d.Runs} | {Opt(d.MeanWeightChange)} |"));
            }
        return sb.ToString();
    }

    private static string Opt(double? v) => v is { } x ? x.ToString("G4", CultureInfo.InvariantCulture) : "–";

    public static string Growth(IReadOnlyList<CellRow> cells)
    {
        // By meaning: τ = 1/√L (power law, exponent −1/2), then the members of τ = L^(−1/2+c) at c = 0.1, 0.2, 0.3;
        // where two rules mean the same τ (1/sqrt(L) and L^-beta [beta=0.5]) the one that is not a family member is shown.
        var rules = new Func<TauRule, bool>[]
        {
            r => r.IsPowerLaw(1, -0.5),
            r => SweepAnalysis.ConverseExcess(r) is { } c && Math.Abs(c - 0.1) < 1e-12,
            r => SweepAnalysis.ConverseExcess(r) is { } c && Math.Abs(c - 0.2) < 1e-12,
            r => SweepAnalysis.ConverseExcess(r) is { } c && Math.Abs(c - 0.3) < 1e-12,
        };
        var sb = new StringBuilder();
        sb.AppendLine("log E[‖h_L‖²/‖h_0‖²] measured (95% interval from the cell's estimator, docs/statistics.md; \"not estimable\" where the n trials cannot give one) beside the infinite-width recursion log(Q_L/Q_0) (density evolution, docs/science.md §3) and the exact bounds [L·log(1+τ²), L·log(1+2τ²)].");
        sb.AppendLine();
        sb.AppendLine("| τ rule | L | measured | infinite width | bounds |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var rule in rules)
            foreach (var c in cells.Where(c => rule(c.Rule)).OrderBy(c => c.Rule.IsFamilyMember).GroupBy(c => c.Depth).Select(g => g.First()).OrderBy(c => c.Depth))
            {
                var sched = c.Rule.Schedule(c.Depth);
                double theory = InfiniteWidthRecursion.PostRelu(sched).LogRatio[^1];
                var b = FirstMomentBounds.PostRelu(sched);
                string measured = c.HasTrustedMean ? F($"{c.FwdLogMeanSq:F4} [{c.FwdLogMeanSqLo:F4}, {c.FwdLogMeanSqHi:F4}]") : F($"{c.FwdLogMeanSq:F4} (not estimable)");
                sb.AppendLine(F($"| {c.Rule} | {c.Depth} | {measured} | {theory:F4} | [{b.LogLower:F4}, {b.LogUpper:F4}] |"));
            }
        sb.AppendLine();
        sb.AppendLine("At finite width m the measured log E ratio sits O(1/m) from the infinite-width value.");
        return sb.ToString();
    }

    /// <summary>Every post/ReLU cell against the finite-width prediction (docs/finite-width.md): the summary lines of `fit`.</summary>
    public static string Theory(TheoryReport theory)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Each cell's measured mean and sd of the forward and backward log ratios against the finite-width prediction at its own m and L, as z-scores (per cell in `stability/theory.csv`, drawn in the `theory-z` figure); τ*(L) measured against the predicted τ*(L; m, K), and the correction-to-scaling fit of τ*(L).");
        sb.AppendLine();
        foreach (var line in SweepTheory.Summary(theory)) sb.AppendLine("- " + line);
        return sb.ToString();
    }

    /// <param name="sweep">The stability sweep's directory, relative to the report.</param>
    /// <param name="training">The training study's directory, relative to the report (null: none).</param>
    /// <param name="spectrum">The spectral study's directory, relative to the report (null: none).</param>
    public static string Provenance(string sweep, string? training, string? spectrum) =>
        "- `verdicts.json`, `verdicts.md`: every claim and control with its measurement, test and verdict (docs/file-formats.md).\n" +
        (training is null ? "" : $"- `{training}/runs.csv`, `{training}/curves.csv`, `{training}/fits.json`: the training study of claim 4 (one row per run, one per recorded step; rates and depth trends).\n") +
        (spectrum is null ? "" : $"- `{spectrum}/spectra.csv`: the spectral study of claim 1 (block-product operator norms, Gram and NTK eigenvalues per cell).\n") +
        $"- `{sweep}/cells.csv`: one row per cell (docs/file-formats.md columns); `{sweep}/traces.csv`: per-layer traces; `{sweep}/raw.csv`: per-trial scalars.\n" +
        $"- `{sweep}/fits.json`: thresholds and fitted laws; `{sweep}/manifest.json`: the sweep's full spec (reproduce it with `stabilitylab sweep --spec {sweep}/manifest.json --out DIR`).\n" +
        "- `manifest.json`: this reproduction's command, version, git commit, machine and timings.\n";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
