using MathNet.Numerics.Distributions;
using StabilityLab.Fitting;

namespace StabilityLab.Claims.Kinds;

/// <summary>
/// "The statistic stays bounded as L grows" (docs/claims.md, bounded): its drift — the slope of the statistic against
/// ln L, in nats per e-fold of L — is shown inside (−δ, δ) by two one-sided t-tests (more data make the test stronger,
/// never easier). FAIL when the drift lies significantly outside the band (by the line, or by the end-to-end drift
/// between the shallowest and deepest depth, Bonferroni over the two), or when an optional "below" bound is
/// significantly exceeded at some depth (one-sided z-tests, Bonferroni over depths); INCONCLUSIVE when neither is shown.
/// </summary>
public static class BoundedClaim
{
    public static Check Evaluate(Claim c, IReadOnlyList<DepthPoint> points, string label)
    {
        string stat = ClaimNames.Describe(c.Quantity, c.Statistic);
        string prediction = DepthSeries.F($"{stat} bounded in L: drift |d/d ln L| < δ = {c.Margin:G3}") + (c.Below is null ? "" : $", and ≤ {c.Below} at every L");
        string test = DepthSeries.F($"equivalence (two one-sided t-tests) on the drift over L = {points.Min(p => p.Depth)}..{points.Max(p => p.Depth)}: PASS when its {DepthSeries.Level(c.Alpha)} interval lies inside (−δ, δ), Holm-adjusted p ≤ {c.Alpha:G3}; FAIL when the drift is significantly outside (−δ, δ)")
            + (c.Below is null ? "" : DepthSeries.F($" or a depth significantly exceeds {c.Below} (one-sided z, Bonferroni over depths)"));
        var (fit, note) = DepthSeries.Line(points, p => (p.Value, p.Se), stat);
        if (fit is null) return Check.Inconclusive(label, prediction, test, note);
        var (e, pLine) = SlopeTests.Around(fit, 0, c.Margin, c.Alpha);
        // "Significantly outside the band" by the line or by the end-to-end drift, Bonferroni over the two.
        var end = DepthSeries.EndToEnd(points);
        double pEnd = end is { } ee ? Math.Min(DepthSeries.EndAbove(ee, c.Margin), 1 - DepthSeries.EndAbove(ee, -c.Margin)) : 1;
        double pOut = Math.Min(1, 2 * Math.Min(pLine, pEnd));

        double pBelow = 1;
        string belowText = "";
        if (c.Below is { } b)
        {
            var usable = points.Where(p => p.Usable && double.IsFinite(b.Evaluate(p.Depth, p.Tau, c.Network.Width))).ToList();
            if (usable.Count == 0)
                return Check.Inconclusive(label, prediction, test, $"the bound {b} is not finite at any usable depth");
            var z = usable.Select(p => (p, Z: (p.Value - b.Evaluate(p.Depth, p.Tau, c.Network.Width)) / p.Se)).MaxBy(x => x.Z);
            pBelow = Math.Min(1, usable.Count * (1 - Normal.CDF(0, 1, z.Z)));
            belowText = DepthSeries.F($"; largest excursion above {b}: {z.Z:F2} SE at L={z.p.Depth}");
        }
        string measured = DepthSeries.F($"drift {fit.Slope:F4}, {DepthSeries.Level(c.Alpha)} [{e.Lo:F4}, {e.Hi:F4}] ({fit.Points} depths, χ²_red {fit.ReducedChiSquare:G3}); power {e.Power:F2} against drift ±δ")
            + (end is { } en ? DepthSeries.F($"; end to end {en.Drift:G4} ± {en.Se:G3}") : "") + belowText + note;
        return new Check(label, prediction, measured, test, e.P, adj =>
            pBelow <= c.Alpha ? (VerdictOutcome.Fail, null)
            : adj <= c.Alpha ? (VerdictOutcome.Pass, null)
            : pOut <= c.Alpha ? (VerdictOutcome.Fail, null)
            : (VerdictOutcome.Inconclusive, DepthSeries.F($"underpowered: the drift's interval [{e.Lo:F3}, {e.Hi:F3}] is neither inside nor outside (−{c.Margin:G3}, {c.Margin:G3}) (Holm-adjusted p = {adj:G3}, power {e.Power:F2})")));
    }
}
