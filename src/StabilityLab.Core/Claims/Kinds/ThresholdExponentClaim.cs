using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Claims.Kinds;

/// <summary>
/// "τ*(L) ∝ L^value" over a τ family (docs/claims.md, threshold-exponent): τ*(L) is the median crossing of 2·ln K by
/// ln‖h_L‖²/‖h_0‖² with its bootstrap SE (<see cref="ThresholdFit"/>). For the post block with ReLU the finite-size part
/// of the finite-width prediction τ*(L; m, K) (docs/finite-width.md §7) is divided out — the slope of
/// ln(τ*_measured / (τ*_predicted·√L)) against ln L, which is −1/2 when the theory holds — so the exponent is judged
/// free of the finite-size curvature, not with a loose tolerance; elsewhere the plain log–log slope is used and the
/// report says so. PASS when the exponent is shown within ±tolerance of value (two one-sided t-tests), FAIL when it
/// is significantly outside, else INCONCLUSIVE.
/// </summary>
public static class ThresholdExponentClaim
{
    /// <summary>K of the median criterion (docs/science.md §4), as in `fit`.</summary>
    public const double BlowupLevel = 10;

    public static Check Evaluate(Claim c, StudyData data, string label)
    {
        double value = c.Value!.Value;
        bool theory = c.Network.Block == BlockKind.Post && c.Network.Activation == Activation.Relu;
        string prediction = DepthSeries.F($"τ*(L) ∝ L^{value:G4}") + (theory
            ? " after dividing out the finite-size part of the finite-width τ*(L; m, K)"
            : " (plain log–log slope: no finite-width τ* for this block)");
        string test = DepthSeries.F($"equivalence (two one-sided t-tests): PASS when the exponent's {1 - 2 * c.Alpha:P0} interval lies within ±{c.Tolerance:G3} of {value:G4}, Holm-adjusted p ≤ {c.Alpha:G3}; FAIL when it is significantly outside");
        var raw = data.Raw("fwd_log_sq");
        var points = new List<DepthPoint>();
        foreach (var g in ClaimMeasurement.CellsOf(c, data).Select(i => (cell: data.Cells[i], i)).GroupBy(x => x.cell.Depth).OrderBy(g => g.Key))
        {
            var members = g.OrderBy(x => x.cell.Tau).ToList();
            var est = ThresholdFit.Estimate(new ThresholdGroup(c.Network.Block, c.Network.Width, g.Key, members.Select(m => m.cell.Tau).ToArray(),
                members.Select(m => raw[m.i]).ToArray()), BlowupLevel);
            if (est is null) { points.Add(new DepthPoint(g.Key, double.NaN, double.NaN, double.NaN, "the τ grid does not cross the level")); continue; }
            double y = Math.Log(est.TauStar);
            if (theory) y -= Math.Log(ThresholdPrediction.TauStar(g.Key, c.Network.Width, BlowupLevel) * Math.Sqrt(g.Key));
            points.Add(new DepthPoint(g.Key, est.TauStar, y, est.LogTauSe));
        }
        var (fit, note) = DepthSeries.Line(points, p => (p.Value, p.Se), "τ*");
        if (fit is null) return Check.Inconclusive(label, prediction, test, note);
        // With the theory divided out the slope is α + 1/2 − 1/2 = α: ln τ*_pred·√L is flat when α = −1/2 holds.
        var (e, pOut) = DepthSeries.Equivalence(fit, value, c.Tolerance, c.Alpha);
        string taus = string.Join(", ", points.Where(p => p.Usable).Select(p => DepthSeries.F($"L={p.Depth} {p.Tau:G4}")));
        string measured = DepthSeries.F($"exponent {fit.Slope:F4}, {1 - 2 * c.Alpha:P0} [{e.Lo + value:F4}, {e.Hi + value:F4}] ({fit.Points} depths, χ²_red {fit.ReducedChiSquare:G3}); τ*: {taus}") + note;
        return new Check(label, prediction, measured, test, e.P, adj =>
            adj <= c.Alpha ? (VerdictOutcome.Pass, null)
            : pOut <= c.Alpha ? (VerdictOutcome.Fail, null)
            : (VerdictOutcome.Inconclusive, DepthSeries.F($"underpowered: the exponent's interval [{e.Lo + value:F3}, {e.Hi + value:F3}] is neither within nor outside ±{c.Tolerance:G3} of {value:G4} (Holm-adjusted p = {adj:G3})")));
    }
}
