using System.Globalization;
using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Training;

namespace StabilityLab.Reports;

/// <summary>The verdicts of the reproduction that are not in fits.json: the spectral study (claim 1) and the training study (claim 4).</summary>
public static class ReproductionVerdicts
{
    /// <summary>
    /// Claim 1: block-product norms stay bounded in L at τ = 1/√L and grow at τ = L^−1/4. The test is the
    /// slope of mean log‖P‖₂² against log L (weighted least squares, 95% t-interval): at τ = 1/√L the claim
    /// is contradicted only by significant growth (lower bound above 0); at τ = L^−1/4 growth must be
    /// significant and steep (lower bound above 0.5).
    /// </summary>
    public static IEnumerable<Verdict> Spectrum(IReadOnlyList<OperatorNormPoint> points)
    {
        foreach (var group in points.GroupBy(p => (p.TauRule, p.Quantity)).OrderBy(g => g.Key.TauRule).ThenBy(g => g.Key.Quantity))
        {
            var pts = group.OrderBy(p => p.Depth).ToList();
            if (pts.Count < 3) continue;
            var fit = WeightedLineFit.Fit(pts.Select(p => Math.Log(p.Depth)).ToArray(), pts.Select(p => p.MeanLogSq).ToArray(),
                pts.Select(p => Math.Max((p.MeanHi - p.MeanLo) / 3.92, 1e-9)).ToArray());
            var deepest = pts[^1];
            string what = group.Key.Quantity == ProductQuantity.Whole ? "whole product J_L···J_1" : "largest over all pairs (a, b)";
            string measured = F($"{what}: slope of log‖P‖₂² vs log L {fit.Slope:F3} [{fit.SlopeLo:F3}, {fit.SlopeHi:F3}]; median ‖P‖₂ {Math.Exp(pts[0].MedianLogSq / 2):G3} at L = {pts[0].Depth}, {Math.Exp(deepest.MedianLogSq / 2):G3} at L = {deepest.Depth}");
            var rule = TauRule.ParseBound(group.Key.TauRule);
            if (rule.IsPowerLaw(1, -0.5))
                yield return new Verdict(F($"stability of block products, {what} (τ = 1/√L)"), "‖D_b(I+τW_b)···D_a(I+τW_a)‖₂ bounded independent of L",
                    measured, fit.SlopeLo <= 0, "no significant growth: 95% lower bound of the slope ≤ 0");
            else if (rule.IsPowerLaw(1, -0.25))
                yield return new Verdict(F($"block products blow up, {what} (τ = L^−1/4)"), "the operator norm grows without bound in L",
                    measured, fit.SlopeLo > 0.5, "95% lower bound of the slope > 0.5");
        }
    }

    /// <summary>Claim 4's two verdicts from the training study's depth trends.</summary>
    public static IEnumerable<Verdict> Training(TrainingStudyResult r)
    {
        foreach (var t in r.Trends)
        {
            var first = t.Depths[0];
            var last = t.Depths[^1];
            var rule = TauRule.ParseBound(t.TauRule);
            if (rule.IsPowerLaw(1, -0.5))
                yield return new Verdict(F($"global convergence at a depth-independent rate (τ = 1/√L, GD, η = {t.StepSize:G3})"),
                    F($"every run converges linearly; rate(L = {last.Depth}) ≥ {DepthVerdicts.RatioThreshold}·rate(L = {first.Depth})"),
                    F($"rate ratio deepest/shallowest {t.DeepToShallowRatio:F2}; slope of rate vs ln L {t.Slope:G3} [{t.SlopeLower:G3}, {t.SlopeUpper:G3}]; diverged {t.Depths.Sum(d => d.Diverged)}, stalled {t.Depths.Sum(d => d.Stalled)}"),
                    t.RateHoldsWithDepth, "no run diverges or stalls, and deepest/shallowest mean rate ≥ 0.5");
            else if (rule.IsPowerLaw(1, 0))
                yield return new Verdict(F($"τ = 1 fails at depth with the same step size (η = {t.StepSize:G3})"),
                    "deep networks diverge or stall",
                    F($"at L = {last.Depth}: {last.Diverged} of {last.Runs} diverged, {last.Stalled} stalled; failures from L = {t.FailsFromDepth?.ToString(CultureInfo.InvariantCulture) ?? "none"}"),
                    t.DeepRunsFail, "every run at the deepest depth diverges or stalls (final loss > 0.5 × initial)");
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
