using MathNet.Numerics.Distributions;
using StabilityLab.Fitting;
using StabilityLab.Tables;

namespace StabilityLab.Claims.Kinds;

/// <summary>
/// "The cells agree with the finite-width theory within a stated model error" (docs/claims.md, matches-theory): in
/// every cell of the claim that <see cref="Theory.FiniteWidthTheory.Predict"/> covers inside its regime, the mean and
/// the sd of the quantity's log ratio are each shown within ±tolerance (nats) of the prediction by two one-sided z-tests
/// (SE sd/√n of a mean, sd/√(2(n−1)) of an sd). The claim's p is the largest of them (an intersection–union test: PASS
/// only when every one is shown). FAIL when some statistic lies significantly outside the band (one-sided z,
/// Bonferroni over all of them); otherwise INCONCLUSIVE. The prediction is made at `predict_width` when the claim gives
/// one (default: the network's width), which is how a control asks for the theory of another network.
/// </summary>
public static class MatchesTheoryClaim
{
    private sealed record Stat(CellRow Cell, string Name, double Predicted, double Measured, double Se)
    {
        public double Diff => Measured - Predicted;
    }

    public static Check Evaluate(Claim c, StudyData data, string label)
    {
        double tol = c.Tolerance;
        int width = c.PredictWidth ?? c.Network.Width;
        string which = c.Quantity == Quantity.Backward ? "backward" : "forward";
        string prediction = DepthSeries.F($"mean and sd of the {which} log ratio = the finite-width prediction at m = {width} (docs/finite-width.md) within ±{tol:G3} in every cell inside the theory's regime");
        string test = DepthSeries.F($"two one-sided z-tests per statistic (mean: SE sd/√n; sd: SE sd/√(2(n−1))), PASS when all are shown (largest p, Holm-adjusted, ≤ {c.Alpha:G3}); ")
            + "FAIL when a statistic lies significantly outside ±tolerance (one-sided z, Bonferroni over the statistics)";
        int outputDim = TheoryComparison.OutputDimOf(data.Directory);
        var stats = new List<Stat>();
        var left = new List<string>();
        foreach (var i in ClaimMeasurement.CellsOf(c, data))
        {
            var cell = data.Cells[i];
            var r = TheoryComparison.Compare(cell with { Width = width }, outputDim);
            var (mean, sd) = c.Quantity == Quantity.Backward ? (r.BwdMean, r.BwdSd) : (r.FwdMean, r.FwdSd);
            if (!r.Predicted || double.IsNaN(mean.Predicted)) { left.Add(DepthSeries.F($"L={cell.Depth}, τ={cell.Tau:G4}: {(r.Predicted ? "not predicted for this block" : r.Status)}")); continue; }
            if (!r.Inside) { left.Add(DepthSeries.F($"L={cell.Depth}, τ={cell.Tau:G4}: {r.Status}")); continue; }
            int n = cell.Trials - cell.DeadTrials;
            if (n < 2 || !(sd.Measured > 0)) { left.Add(DepthSeries.F($"L={cell.Depth}, τ={cell.Tau:G4}: {n} live trials")); continue; }
            stats.Add(new Stat(cell, "mean", mean.Predicted, mean.Measured, sd.Measured / Math.Sqrt(n)));
            stats.Add(new Stat(cell, "sd", sd.Predicted, sd.Measured, sd.Measured / Math.Sqrt(2.0 * (n - 1))));
        }
        string leftOut = left.Count == 0 ? "" : $"; left out {left.Count}: " + string.Join("; ", left.Take(3)) + (left.Count > 3 ? $"; … {left.Count - 3} more" : "");
        if (stats.Count == 0) return Check.Inconclusive(label, prediction, test, "no cell of the claim is predicted inside the theory's regime" + leftOut);

        static double Upper(double z) => 1 - Normal.CDF(0, 1, z);
        // TOST p of one statistic, and the p of its lying outside the band.
        double Tost(Stat s) => Math.Max(Upper((s.Diff + tol) / s.Se), Upper((tol - s.Diff) / s.Se));
        double Outside(Stat s) => Upper((Math.Abs(s.Diff) - tol) / s.Se);
        var worst = stats.MaxBy(Tost)!;
        double p = Tost(worst);
        var far = stats.MinBy(Outside)!;
        double pOutside = Math.Min(1, stats.Count * Outside(far));
        string Where(Stat s) => DepthSeries.F($"{s.Name} at L={s.Cell.Depth}, τ={s.Cell.Tau:G4}: {s.Measured:G4} vs {s.Predicted:G4} (SE {s.Se:G2})");
        string measured = DepthSeries.F($"{stats.Count / 2} cells; largest |measured − predicted| {stats.Max(s => Math.Abs(s.Diff)):G3}; least shown: {Where(worst)}") + leftOut;
        return new Check(label, prediction, measured, test, p, adj =>
            adj <= c.Alpha ? (VerdictOutcome.Pass, null)
            : pOutside <= c.Alpha ? (VerdictOutcome.Fail, DepthSeries.F($"outside ±{tol:G3}: {Where(far)} (Bonferroni p = {pOutside:G3})"))
            : (VerdictOutcome.Inconclusive, DepthSeries.F($"agreement within ±{tol:G3} not shown everywhere (Holm-adjusted p = {adj:G3}); least shown: {Where(worst)}")));
    }
}
