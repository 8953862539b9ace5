using StabilityLab.Fitting;

namespace StabilityLab.Claims.Kinds;

/// <summary>
/// "The statistic grows without bound" (docs/claims.md, unbounded): PASS when the drift (slope against ln L) is
/// significantly above the margin δ (one-sided t-test on the line, or one-sided z on the end-to-end drift, Bonferroni
/// over the two, Holm-adjusted); FAIL when it is significantly below δ (the same two tests); else INCONCLUSIVE.
/// </summary>
public static class UnboundedClaim
{
    public static Check Evaluate(Claim c, IReadOnlyList<DepthPoint> points, string label)
    {
        string stat = ClaimNames.Describe(c.Quantity, c.Statistic);
        string prediction = DepthSeries.F($"{stat} unbounded in L: drift d/d ln L > δ = {c.Margin:G3}");
        string test = DepthSeries.F($"one-sided t-test of H₀: drift ≤ δ, Holm-adjusted p ≤ {c.Alpha:G3} shows growth; FAIL when the drift is significantly below δ (one-sided, level {c.Alpha:G3})");
        var (fit, note) = DepthSeries.Line(points, p => (p.Value, p.Se), stat);
        if (fit is null) return Check.Inconclusive(label, prediction, test, note);
        // Growth shown by the line or by the end-to-end drift, Bonferroni over the two (likewise its absence).
        var end = DepthSeries.EndToEnd(points);
        double pLine = SlopeTests.Above(fit, c.Margin), pEnd = end is { } ee ? DepthSeries.EndAbove(ee, c.Margin) : 1;
        double p = Math.Min(1, 2 * Math.Min(pLine, pEnd)), pBelow = Math.Min(1, 2 * Math.Min(1 - pLine, 1 - pEnd));
        string measured = DepthSeries.F($"drift {fit.Slope:G4} [{fit.SlopeLo:G4}, {fit.SlopeHi:G4}] ({fit.Points} depths, χ²_red {fit.ReducedChiSquare:G3})")
            + (end is { } en ? DepthSeries.F($"; end to end {en.Drift:G4} ± {en.Se:G3}") : "") + note;
        return new Check(label, prediction, measured, test, p, adj =>
            adj <= c.Alpha ? (VerdictOutcome.Pass, null)
            : pBelow <= c.Alpha ? (VerdictOutcome.Fail, null)
            : (VerdictOutcome.Inconclusive, DepthSeries.F($"growth beyond δ neither shown nor excluded (Holm-adjusted p = {adj:G3})")));
    }
}
