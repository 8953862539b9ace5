using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Theory;

using StabilityLab.Output;

namespace StabilityLab.Fitting;

/// <summary>τ*(L) measured against the finite-width prediction τ*(L; m, K) (docs/finite-width.md §7); z on log τ*.</summary>
public sealed record ThresholdVsTheory(int Width, int Depth, double Measured, double Lo, double Hi, double? Predicted, double? Z, string Note);

/// <summary>What `fit` adds from the finite-width theory: every post/ReLU cell compared, the scaling fit of τ*, and τ* predicted per depth.</summary>
public sealed record TheoryReport(IReadOnlyList<TheoryCellComparison> Cells, IReadOnlyList<(int Width, ThresholdScaling Fit)> Scaling,
    IReadOnlyList<ThresholdVsTheory> Predicted);

/// <summary>
/// The theory step of `fit`, run after <see cref="SweepAnalysis.Run"/> on its thresholds: kept apart from the verdicts
/// (it states agreement as numbers, it does not pass or fail a claim).
/// </summary>
public static class SweepTheory
{
    public static TheoryReport Run(string dir, FitReport report, FitOptions o)
    {
        var cells = Tables.CellsTable.Read(Path.Combine(dir, Sweeps.SweepRunner.CellsFile));
        var comparison = TheoryComparison.Compare(cells, TheoryComparison.OutputDimOf(dir));
        var post = report.Thresholds.Where(t => t.Block == Models.BlockKind.Post && cells.Any(c => SweepAnalysis.IsPostRelu(c) && c.Width == t.Width)).ToList();
        var scaling = new List<(int, ThresholdScaling)>();
        foreach (var g in post.GroupBy(t => t.Width))
        {
            var pts = g.OrderBy(t => t.Depth).ToList();
            var fit = ThresholdScalingFit.Fit(pts.Select(t => (double)t.Depth).ToList(), pts.Select(t => t.TauStar).ToList(),
                pts.Select(t => Math.Max(t.LogTauSe, 1e-12)).ToList());
            if (fit is not null) scaling.Add((g.Key, fit));
        }
        // τ*(L; m, K) at every depth (≈ 0.06 s at L = 1024, 0.4 s at 4096: docs/finite-width.md §8); independent and
        // deterministic, so in parallel, in the depths' order.
        var predicted = post.OrderBy(t => t.Width).ThenBy(t => t.Depth).AsParallel().AsOrdered().Select(t =>
        {
            // The exponent analysis has computed it at its fitted depths already.
            double p = report.Exponent is { FiniteSizeCorrected: true } x && x.Width == t.Width && x.Predicted.TryGetValue(t.Depth, out double v)
                ? v : ThresholdPrediction.TauStar(t.Depth, t.Width, o.BlowupLevel);
            return new ThresholdVsTheory(t.Width, t.Depth, t.TauStar, t.Lo, t.Hi, p, (Math.Log(t.TauStar) - Math.Log(p)) / Math.Max(t.LogTauSe, 1e-12), "");
        }).ToList();
        return new TheoryReport(comparison, scaling, predicted);
    }

    /// <summary>fits.json with the theory added: a "theory" array, and threshold.scaling / threshold.predicted.</summary>
    public static string AddToJson(string fitsJson, TheoryReport t)
    {
        var root = JsonNode.Parse(fitsJson)!.AsObject();
        var threshold = root["threshold"]!.AsObject();
        threshold["scaling"] = new JsonArray(t.Scaling.Select(s => (JsonNode)new JsonObject
        {
            ["width"] = s.Width, ["model"] = "tau_star = a * L^alpha * (1 + b * L^-omega)", ["a"] = s.Fit.A,
            ["alpha"] = s.Fit.Alpha, ["alpha_lo"] = s.Fit.AlphaLo, ["alpha_hi"] = s.Fit.AlphaHi, ["alpha_se"] = s.Fit.AlphaSe, ["alpha_interval_open"] = s.Fit.AlphaIntervalOpen,
            ["b"] = s.Fit.B, ["b_se"] = s.Fit.BSe, ["omega"] = s.Fit.Omega, ["reduced_chi_square"] = s.Fit.ReducedChiSquare, ["points"] = s.Fit.Points,
        }).ToArray());
        threshold["predicted"] = new JsonArray(t.Predicted.Select(p => (JsonNode)new JsonObject
        {
            ["width"] = p.Width, ["depth"] = p.Depth, ["tau_star"] = p.Measured, ["lo"] = p.Lo, ["hi"] = p.Hi,
            ["predicted"] = p.Predicted, ["z_log"] = p.Z, ["note"] = p.Note.Length > 0 ? p.Note : null,
        }).ToArray());
        root["theory"] = new JsonArray(t.Cells.Select(c => (JsonNode)new JsonObject
        {
            ["width"] = c.Width, ["depth"] = c.Depth, ["tau"] = c.Tau, ["tau_rule"] = c.Rule, ["trials"] = c.Trials,
            ["fwd_log_sq_mean"] = Stat(c.FwdMean), ["fwd_log_sq_sd"] = Stat(c.FwdSd),
            ["bwd_log_sq_mean"] = Stat(c.BwdMean), ["bwd_log_sq_sd"] = Stat(c.BwdSd),
            ["inside_regime"] = c.Inside, ["regime"] = c.Status,
        }).ToArray());
        return JsonText.Of(root);
    }

    private static JsonNode? Stat(TheoryStat s) => double.IsNaN(s.Predicted) ? null
        : new JsonObject { ["predicted"] = s.Predicted, ["measured"] = s.Measured, ["z"] = s.Z };

    /// <summary>The lines `fit` prints after its verdicts.</summary>
    public static IEnumerable<string> Summary(TheoryReport t)
    {
        yield return TheoryComparison.Summary(t.Cells);
        foreach (var (m, s) in t.Scaling)
            yield return F($"threshold scaling (m={m}): τ* = {s.A:G4}·L^α·(1 + {s.B:G3}·L^−{s.Omega:G2}), α = {s.Alpha:F4} [{s.AlphaLo:F4}, {s.AlphaHi:F4}]{(s.AlphaIntervalOpen ? " (open: the data do not bound α)" : "")} (95% profile interval), χ²_red = {s.ReducedChiSquare:G3} ({s.Points} depths)");
        var p = t.Predicted.Where(x => x.Predicted is not null).ToList();
        if (p.Count > 0)
            yield return "threshold vs finite-width τ*(L; m, K): " + string.Join(", ", p.Select(x => F($"L={x.Depth} {x.Measured:G4}/{x.Predicted:G4} (z {x.Z:F1})")));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
