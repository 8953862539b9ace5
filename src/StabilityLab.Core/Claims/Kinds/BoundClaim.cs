using MathNet.Numerics.Distributions;
using StabilityLab.Fitting;

namespace StabilityLab.Claims.Kinds;

/// <summary>
/// "The statistic lies below (above) a bound at every cell" (docs/claims.md, below/above): a one-sided z-test per cell
/// of the statistic against the bound, Bonferroni over the cells; FAIL when a cell significantly violates the bound,
/// PASS otherwise. A bound claim can only be contradicted by data, so its evidence of power is its control: a
/// nearby bound the data must violate. Cells whose statistic cannot be estimated are left out and named;
/// INCONCLUSIVE when none is left.
/// </summary>
public static class BoundClaim
{
    public static Check Evaluate(Claim c, IReadOnlyList<DepthPoint> points, string label, bool below)
    {
        var bound = c.Bound!;
        string stat = ClaimNames.Describe(c.Quantity, c.Statistic), rel = below ? "≤" : "≥";
        string prediction = $"{stat} {rel} {bound} at every cell";
        string test = DepthSeries.F($"one-sided z-test per cell, Bonferroni over the cells; Holm-adjusted p ≤ {c.Alpha:G3} contradicts (FAIL)");
        // A bound that is not a finite number at a cell (log of a negative, 0/0) says nothing there: the cell is left out.
        points = points.Select(p => p.Usable && !double.IsFinite(bound.Evaluate(p.Depth, p.Tau, c.Network.Width))
            ? p with { Excluded = $"the bound {bound} is not finite here" } : p).ToList();
        var usable = points.Where(p => p.Usable).ToList();
        var skipped = points.Where(p => !p.Usable).Select(p => DepthSeries.F($"L={p.Depth}, τ={p.Tau:G4}: {p.Excluded}")).ToList();
        if (usable.Count == 0) return Check.Inconclusive(label, prediction, test, "no cell's statistic can be estimated: " + string.Join("; ", skipped));
        // z > 0: on the wrong side of the bound.
        var worst = usable.Select(p => (p, Z: (below ? 1 : -1) * (p.Value - bound.Evaluate(p.Depth, p.Tau, c.Network.Width)) / p.Se)).MaxBy(x => x.Z);
        double pValue = Math.Min(1, usable.Count * (1 - Normal.CDF(0, 1, worst.Z)));
        string measured = DepthSeries.F($"{usable.Count} cells; worst {(worst.Z > 0 ? "violation" : "approach")} {Math.Abs(worst.Z):F2} SE {(worst.Z > 0 ? "beyond" : "inside")} the bound at L={worst.p.Depth}, τ={worst.p.Tau:G4}")
            + (skipped.Count == 0 ? "" : $"; left out {skipped.Count}: " + string.Join("; ", skipped));
        return new Check(label, prediction, measured, test, pValue, adj =>
            adj <= c.Alpha ? (VerdictOutcome.Fail, null) : (VerdictOutcome.Pass, null));
    }
}
