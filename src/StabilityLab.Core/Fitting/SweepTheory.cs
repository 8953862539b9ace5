using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Theory;

using StabilityLab.Output;

namespace StabilityLab.Fitting;

/// <summary>τ*(L) measured against the finite-width prediction τ*(L; m, K) (docs/finite-width.md §7); z on log τ*, against the
/// prediction passed through the same grid interpolation (<see cref="ThresholdAgreement"/>).</summary>
public sealed record ThresholdVsTheory(int Width, int Depth, double Lo, double Hi, ThresholdAgreement Agreement);

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
            // The exponent analysis has compared its fitted depths already.
            var a = report.Exponent is { FiniteSizeCorrected: true } x && x.Width == t.Width ? x.Agreement.FirstOrDefault(r => r.Depth == t.Depth) : null;
            return new ThresholdVsTheory(t.Width, t.Depth, t.Lo, t.Hi, a ?? ThresholdAgreement.Of(t, ThresholdPrediction.TauStar(t.Depth, t.Width, o.BlowupLevel), o.BlowupLevel));
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
            ["width"] = s.Width, ["model"] = ThresholdScalingFit.Model, ["min_depth"] = ThresholdScalingFit.MinDepth, ["a"] = s.Fit.A,
            ["alpha"] = s.Fit.Alpha, ["alpha_lo"] = s.Fit.AlphaLo, ["alpha_hi"] = s.Fit.AlphaHi, ["alpha_se"] = s.Fit.AlphaSe,
            ["b"] = s.Fit.B, ["b_se"] = s.Fit.BSe, ["c"] = s.Fit.C, ["c_se"] = s.Fit.CSe, ["reduced_chi_square"] = s.Fit.ReducedChiSquare, ["points"] = s.Fit.Points,
        }).ToArray());
        threshold["predicted"] = new JsonArray(t.Predicted.Select(p => (JsonNode)new JsonObject
        {
            ["width"] = p.Width, ["depth"] = p.Depth, ["tau_star"] = p.Agreement.Measured, ["lo"] = p.Lo, ["hi"] = p.Hi,
            ["predicted"] = p.Agreement.Predicted, ["predicted_as_measured"] = p.Agreement.PredictedAsMeasured, ["z_log"] = p.Agreement.Z,
        }).ToArray());
        threshold["predicted_test"] = new JsonArray(t.Predicted.GroupBy(p => p.Width).Select(g => ThresholdAgreementTest.Of(g.Select(p => p.Agreement).ToList()) is { } x
            ? (JsonNode)new JsonObject { ["width"] = g.Key, ["chi_square"] = x.ChiSquare, ["dof"] = x.Dof, ["p"] = x.P } : null).ToArray());
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
            yield return F($"threshold scaling without the theory (m={m}): ln τ* = ln {s.A:G4} + α·ln L + {s.B:G3}·L^−1/2 + {s.C:G3}·L^−1, α = {s.Alpha:F4} [{s.AlphaLo:F4}, {s.AlphaHi:F4}] (95%), χ²_red = {s.ReducedChiSquare:G3} ({s.Points} depths ≥ {ThresholdScalingFit.MinDepth})");
        foreach (var g in t.Predicted.GroupBy(p => p.Width))
        {
            var rows = g.Select(p => p.Agreement).ToList();
            var test = ThresholdAgreementTest.Of(rows)!;
            yield return F($"threshold vs finite-width τ*(L; m, K), m={g.Key}, nothing fitted: ") + string.Join(", ", rows.Select(x => F($"L={x.Depth} {x.Measured:G4}/{x.Predicted:G4} (z {x.Z:F1})")))
                + "; " + test;
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
