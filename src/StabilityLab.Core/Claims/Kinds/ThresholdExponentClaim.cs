using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Claims.Kinds;

/// <summary>
/// "τ*(L) ∝ L^value" over a τ family (docs/claims.md, threshold-exponent): τ*(L) is the median crossing of 2·ln K by
/// ln‖h_L‖²/‖h_0‖² with its bootstrap SE (<see cref="ThresholdFit"/>), and the exponent is <see cref="ThresholdExponent"/>'s:
/// with the finite-size part of the finite-width τ*(L; m, K) divided out for the post block with ReLU, so it is judged
/// free of the finite-size curvature, not with a loose tolerance; elsewhere the plain log–log slope, and the report
/// says so. PASS when the exponent is shown within ±tolerance of value (two one-sided t-tests), FAIL when it
/// is significantly outside, else INCONCLUSIVE.
/// </summary>
public static class ThresholdExponentClaim
{
    /// <summary>K of the median criterion (docs/science.md §4), as in `fit`.</summary>
    public const double BlowupLevel = 10;

    public static Check Evaluate(Claim c, StudyData data, string label)
    {
        double value = c.Value!.Value;
        bool theory = c.Network.Block == BlockKind.Post && c.Network.Activation == Activation.Relu; // as ThresholdExponent decides
        string prediction = DepthSeries.F($"τ*(L) ∝ L^{value:G4}") + (theory
            ? " after dividing out the finite-size part of the finite-width τ*(L; m, K)"
            : " (plain log–log slope: no finite-width τ* for this block)");
        string test = DepthSeries.F($"equivalence (two one-sided t-tests): PASS when the exponent's {DepthSeries.Level(c.Alpha)} interval lies within ±{c.Tolerance:G3} of {value:G4}, Holm-adjusted p ≤ {c.Alpha:G3}; FAIL when it is significantly outside");
        var raw = data.Raw("fwd_log_sq");
        var estimates = new List<ThresholdEstimate>();
        var missing = new List<int>();
        foreach (var g in ClaimMeasurement.CellsOf(c, data).Select(i => (cell: data.Cells[i], i)).GroupBy(x => x.cell.Depth).OrderBy(g => g.Key))
        {
            var members = g.OrderBy(x => x.cell.Tau).ToList();
            var est = ThresholdFit.Estimate(new ThresholdGroup(c.Network.Block, c.Network.Width, g.Key, members.Select(m => m.cell.Tau).ToArray(),
                members.Select(m => raw[m.i]).ToArray()), BlowupLevel);
            if (est is null) missing.Add(g.Key); else estimates.Add(est);
        }
        string note = missing.Count == 0 ? "" : "; the τ grid does not cross the level at L = " + string.Join(", ", missing);
        var exponent = ThresholdExponent.Fit(estimates, c.Network.Activation, BlowupLevel);
        var (fit, _, why) = exponent;
        if (fit is null) return Check.Inconclusive(label, prediction, test, why + note);
        // With the theory divided out the slope is α + 1/2 − 1/2 = α: ln τ*_pred·√L is flat when α = −1/2 holds.
        var (e, pOut) = SlopeTests.Around(fit, value, c.Tolerance, c.Alpha);
        string taus = string.Join(", ", estimates.Select(t => DepthSeries.F($"L={t.Depth} {t.TauStar:G4}")));
        string measured = DepthSeries.F($"exponent {fit.Slope:F4}, {DepthSeries.Level(c.Alpha)} [{e.Lo + value:F4}, {e.Hi + value:F4}] ({fit.Points} depths, χ²_red {fit.ReducedChiSquare:G3}); τ*: {taus}") + Agreement(exponent) + note;
        return Check.Equivalence(label, prediction, measured, test, e, pOut, c.Alpha, adj =>
            DepthSeries.F($"underpowered: the exponent's interval [{e.Lo + value:F3}, {e.Hi + value:F3}] is neither within nor outside ±{c.Tolerance:G3} of {value:G4} (Holm-adjusted p = {adj:G3})"));
    }

    /// <summary>The measured τ* against τ*(L; m, K) with nothing fitted (empty where there is no prediction).</summary>
    private static string Agreement(ThresholdExponentFit x)
    {
        if (x.AgreementTest is not { } t) return "";
        var worst = x.Agreement.MaxBy(a => Math.Abs(a.Z))!;
        return DepthSeries.F($"; against the finite-width τ*(L; m, K), nothing fitted: z = {string.Join(", ", x.Agreement.Select(a => DepthSeries.F($"{a.Z:F2}")))} (largest |z| {Math.Abs(worst.Z):F2} at L = {worst.Depth}; {t})");
    }
}
