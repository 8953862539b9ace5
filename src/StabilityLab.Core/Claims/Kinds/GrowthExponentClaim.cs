using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Claims.Kinds;

/// <summary>
/// "ln(statistic) grows like value·ln L" (docs/claims.md, growth-exponent): the slope of ln(statistic) against ln L is
/// shown within ±tolerance of value plus the finite-size correction, by two one-sided t-tests. The correction is
/// what the infinite-width theory (docs/science.md §3) gives over the same depths minus its asymptotic slope 2c, for
/// log E ratio of the post block with ReLU and a rule τ = a·L^(−1/2+c); elsewhere there is none and the report says so.
/// FAIL when the slope lies significantly outside the band; else INCONCLUSIVE.
/// </summary>
public static class GrowthExponentClaim
{
    public static Check Evaluate(Claim c, IReadOnlyList<DepthPoint> points, string label)
    {
        double value = c.Value!.Value;
        string stat = ClaimNames.Describe(c.Quantity, c.Statistic);
        var (correction, source) = Correction(c, points.Where(p => p.Usable && p.Value > 0).Select(p => p.Depth).Distinct().Order().ToList());
        double target = value + correction;
        string prediction = DepthSeries.F($"ln {stat} ∝ {value:G4}·ln L; over these depths {target:G4} ({source})");
        string test = DepthSeries.F($"equivalence (two one-sided t-tests): PASS when the slope's {DepthSeries.Level(c.Alpha)} interval lies within ±{c.Tolerance:G3} of {target:G4}, Holm-adjusted p ≤ {c.Alpha:G3}; FAIL when it is significantly outside");
        var (fit, note) = DepthSeries.Line(points, p => p.Value > 0 ? (Math.Log(p.Value), p.Se / p.Value) : null, $"ln {stat} (the statistic is ≤ 0)");
        if (fit is null) return Check.Inconclusive(label, prediction, test, note);
        var (e, pOut) = SlopeTests.Around(fit, target, c.Tolerance, c.Alpha);
        string measured = DepthSeries.F($"slope {fit.Slope:F4}, {DepthSeries.Level(c.Alpha)} [{e.Lo + target:F4}, {e.Hi + target:F4}] ({fit.Points} depths, χ²_red {fit.ReducedChiSquare:G3})") + note;
        return Check.Equivalence(label, prediction, measured, test, e, pOut, c.Alpha, adj =>
            DepthSeries.F($"underpowered: the slope's interval [{e.Lo + target:F3}, {e.Hi + target:F3}] is neither within nor outside ±{c.Tolerance:G3} of {target:G4} (Holm-adjusted p = {adj:G3})"));
    }

    private static (double Correction, string Source) Correction(Claim c, IReadOnlyList<int> depths)
    {
        var rule = c.TauEntry.Expand().Single();
        if (c.Network.Block != BlockKind.Post || c.Network.Activation != Activation.Relu || c.Quantity != Quantity.Forward
            || c.Statistic != Statistic.LogMean || !rule.TryPowerLaw(out _, out double exponent) || depths.Count < 2)
            return (0, "no finite-size correction: the theory covers log E ratio of the post block with ReLU and τ = a·L^(−1/2+c)");
        // τ = a·L^(−1/2+c): log E ratio lies between a²·L^(2c) and 2a²·L^(2c) at large L (the exact first-moment bounds,
        // docs/science.md §3), so the limiting slope is 2c.
        double excess = exponent + 0.5;
        double slope = GrowthFit.TheorySlope(depths, L => InfiniteWidthRecursion.PostRelu(rule.Schedule(L)).LogRatio[^1]);
        return (slope - 2 * excess, DepthSeries.F($"the infinite-width theory's slope over these depths, {slope:G4}, minus its limit 2c = {2 * excess:G3}"));
    }
}
