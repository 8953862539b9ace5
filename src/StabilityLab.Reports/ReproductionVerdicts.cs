using System.Globalization;
using MathNet.Numerics.Distributions;
using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Training;

namespace StabilityLab.Reports;

/// <summary>
/// The checks of the reproduction that are not in fits.json: the spectral study (claim 1) and the training study
/// (claim 4). They are <see cref="Check"/>s, resolved with the fit's checks as one Holm family (<see cref="Reproduction"/>).
/// </summary>
public static class ReproductionVerdicts
{
    /// <summary>
    /// The margin δ on the slope of mean log‖P‖₂² against log L. At τ = L^(−1/2+c) the norm of the whole product is at least
    /// that of its image of h_0, and log‖h_L‖²/‖h_0‖² ≈ L·log(1 + τ²) ≈ L^(2c) (docs/science.md §3, first-moment bounds),
    /// so the slope is ≈ 2c·L^(2c): 0.5 already at L = 1 for c = 1/4 (the L^−1/4 rule), and reached by c = 0.1 near L = 100.
    /// </summary>
    public const double SpectrumMargin = 0.5;

    /// <summary>
    /// Claim 1: block-product norms stay bounded in L at τ = 1/√L (equivalence test of the slope of mean log‖P‖₂² against
    /// log L, |slope| &lt; <see cref="SpectrumMargin"/>; weighted least squares, <see cref="GrowthChecks.Equivalent"/>) and
    /// grow at τ = L^−1/4 (one-sided t-test of slope ≤ δ). Fewer than 3 depths is INCONCLUSIVE with the reason.
    /// </summary>
    public static IEnumerable<Check> Spectrum(IReadOnlyList<OperatorNormPoint> points, double alpha = 0.05)
    {
        const double d = SpectrumMargin;
        string why = F($"(at τ = L^(−1/2+c), log‖P‖₂² ≥ log‖h_L‖²/‖h_0‖² ≈ L·τ² = L^(2c), a slope ≈ 2c·L^(2c) against log L: δ = {d:G3} is the L^−1/4 rule's slope at L = 1, reached by c = 0.1 near L = 100)");
        foreach (var group in points.GroupBy(p => (p.TauRule, p.Quantity)).OrderBy(g => g.Key.TauRule).ThenBy(g => g.Key.Quantity))
        {
            var rule = TauRule.ParseBound(group.Key.TauRule);
            bool bounded = rule.IsPowerLaw(1, -0.5);
            if (!bounded && !rule.IsPowerLaw(1, -0.25)) continue;
            var all = group.OrderBy(p => p.Depth).ToList();
            var pts = all.Where(p => double.IsFinite(p.MeanLogSq) && double.IsFinite(p.MeanLo) && double.IsFinite(p.MeanHi)).ToList();
            var fit = pts.Count < 3 ? null : WeightedLineFit.Fit(pts.Select(p => Math.Log(p.Depth)).ToArray(), pts.Select(p => p.MeanLogSq).ToArray(),
                pts.Select(p => Math.Max((p.MeanHi - p.MeanLo) / 3.92, 1e-9)).ToArray());
            string what = group.Key.Quantity == ProductQuantity.Whole ? "whole product J_L···J_1" : "largest over all pairs (a, b)";
            string over = pts.Count == 0 ? "" : F($"over L = {pts[0].Depth}..{pts[^1].Depth}");
            string missing = F($"{pts.Count} depth(s) with a finite mean log‖P‖₂² (grid L = {string.Join(", ", all.Select(p => p.Depth))}); the slope needs 3");
            string medians = pts.Count == 0 ? "" : F($"; median ‖P‖₂ {Math.Exp(pts[0].MedianLogSq / 2):G3} at L = {pts[0].Depth}, {Math.Exp(pts[^1].MedianLogSq / 2):G3} at L = {pts[^1].Depth}");
            if (bounded)
            {
                var c = GrowthChecks.Equivalent(F($"stability of block products, {what} (τ = 1/√L)"),
                    F($"‖D_b(I+τW_b)···D_a(I+τW_a)‖₂ bounded independent of L: slope of mean log‖P‖₂² vs log L → 0, |slope| < δ = {d:G3}"),
                    why, fit, d, over, missing, alpha);
                yield return fit is null ? c : c with { Measurement = what + ": " + c.Measurement + medians };
                continue;
            }
            string claim = F($"block products blow up, {what} (τ = L^−1/4)"), prediction = F($"the operator norm grows without bound in L: slope of mean log‖P‖₂² vs log L > δ = {d:G3}");
            string test = F($"one-sided t-test of H₀: slope ≤ δ = {d:G3} {why}, Holm-adjusted p ≤ {alpha:G3} shows growth; FAIL when the slope's 95% upper bound lies below δ");
            if (fit is null) { yield return Check.Inconclusive(claim, prediction, test, missing); continue; }
            yield return new Check(claim, prediction,
                F($"{what}: slope {fit.Slope:F3} [{fit.SlopeLo:F3}, {fit.SlopeHi:F3}] {over} ({fit.Points} depths)") + medians, test,
                SlopeTests.Above(fit, d), adj =>
                    adj <= alpha ? (VerdictOutcome.Pass, null)
                    : fit.SlopeHi < d ? (VerdictOutcome.Fail, null)
                    : (VerdictOutcome.Inconclusive, F($"growth beyond δ not shown (Holm-adjusted p = {adj:G3}) yet not excluded")));
        }
    }

    /// <summary>
    /// Claim 4's two checks from the training study's depth trends. τ = 1/√L: a non-inferiority t-test on the slope of rate
    /// against ln L (all runs, n − 2 degrees of freedom), H₀: slope ≤ −δ with δ = (1 − <see cref="DepthVerdicts.RatioThreshold"/>)·rate(shallowest)
    /// / ln(L_deep/L_shallow), the slope at which the deepest rate would be half the shallowest; any run that diverges or
    /// stalls fails it. τ = 1: counted failures, decided without a p-value.
    /// </summary>
    public static IEnumerable<Check> Training(TrainingStudyResult r, double alpha = 0.05)
    {
        foreach (var t in r.Trends)
        {
            var first = t.Depths[0];
            var last = t.Depths[^1];
            var rule = TauRule.ParseBound(t.TauRule);
            if (rule.IsPowerLaw(1, -0.5))
            {
                string claim = F($"global convergence at a depth-independent rate (τ = 1/√L, GD, η = {t.StepSize:G3})");
                string prediction = F($"every run converges linearly; rate(L = {last.Depth}) ≥ {DepthVerdicts.RatioThreshold}·rate(L = {first.Depth})");
                string test = F($"no run diverges or stalls, and a one-sided t-test of the slope of rate vs ln L rejects H₀: slope ≤ −δ, δ = {1 - DepthVerdicts.RatioThreshold}·rate(L = {first.Depth}) / ln({last.Depth}/{first.Depth}) ") +
                    F($"(the slope that halves the rate over the depths), Holm-adjusted p ≤ {alpha:G3}; FAIL also when the slope's 95% upper bound lies below −δ");
                int diverged = t.Depths.Sum(d => d.Diverged), stalled = t.Depths.Sum(d => d.Stalled);
                bool allTrain = t.Depths.All(d => d.Diverged == 0 && d.Stalled == 0 && d.MeanRate is not null);
                // The runs DepthVerdicts fitted the line to: those with a rate that did not diverge.
                int n = r.Runs.Count(x => x.TauRule == t.TauRule && x.StepSize == t.StepSize && x.Outcome != TrainingOutcome.Diverged && x.Rate is not null);
                if (t.Slope is not double slope || t.SlopeUpper is not double hi || first.MeanRate is not double r0 || last.Depth <= first.Depth || n < 3)
                {
                    yield return allTrain
                        ? Check.Inconclusive(claim, prediction, test, "no slope of rate against ln L (fewer than 3 runs with a rate, or one depth)")
                        : new Check(claim, prediction, F($"diverged {diverged}, stalled {stalled}"), test, null, _ => (VerdictOutcome.Fail, null));
                    continue;
                }
                // The trend's interval is the two-sided 95% t-interval with n − 2 df (RateFit.Line over every run with a rate).
                double se = (hi - slope) / StudentT.InvCDF(0, 1, n - 2, 0.975);
                var line = new LineFit(slope, t.SlopeLower!.Value, hi, 0, se, 1, n);
                double delta = (1 - DepthVerdicts.RatioThreshold) * r0 / Math.Log((double)last.Depth / first.Depth);
                double? p = allTrain ? SlopeTests.Above(line, -delta) : null;
                yield return new Check(claim, prediction,
                    F($"rate ratio deepest/shallowest {t.DeepToShallowRatio:F2}; slope of rate vs ln L {slope:G3} [{t.SlopeLower:G3}, {hi:G3}], δ = {delta:G3}; diverged {diverged}, stalled {stalled}"),
                    test, p, adj =>
                        !allTrain ? (VerdictOutcome.Fail, null)
                        : adj <= alpha ? (VerdictOutcome.Pass, null)
                        : hi < -delta ? (VerdictOutcome.Fail, null)
                        : (VerdictOutcome.Inconclusive, F($"a fall of the rate by half over the depths not excluded (Holm-adjusted p = {adj:G3})")));
            }
            else if (rule.IsPowerLaw(1, 0))
                yield return new Check(F($"τ = 1 fails at depth with the same step size (η = {t.StepSize:G3})"),
                    "deep networks diverge or stall",
                    F($"at L = {last.Depth}: {last.Diverged} of {last.Runs} diverged, {last.Stalled} stalled; failures from L = {t.FailsFromDepth?.ToString(CultureInfo.InvariantCulture) ?? "none"}"),
                    "every run at the deepest depth diverges or stalls (final loss > 0.5 × initial); counted, no p-value", null,
                    _ => (t.DeepRunsFail ? VerdictOutcome.Pass : VerdictOutcome.Fail, null));
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
