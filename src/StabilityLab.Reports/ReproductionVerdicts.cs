using System.Globalization;
using System.Text.Json.Nodes;
using MathNet.Numerics.Distributions;
using StabilityLab.Claims;
using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Training;

namespace StabilityLab.Reports;

/// <summary>
/// The claims of the reproduction that the claims file does not run yet: block products from the spectral study
/// (claim 1) and depth-independent training from the training study (claim 4), each with a control that must FAIL.
/// They join the claims file's checks in one Holm family for claims and one for controls (<see cref="Reproduction"/>).
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
    /// Claim 1 for block products, per quantity (the whole product, the largest over all pairs): the norms stay bounded in L
    /// at τ = 1/√L — an equivalence test of the slope of mean log‖P‖₂² against log L, |slope| &lt; <see cref="SpectrumMargin"/>
    /// (weighted least squares, <see cref="GrowthChecks.Equivalent"/>) — and the control runs the same test at τ = L^−1/4,
    /// where it must FAIL. Fewer than 3 depths is INCONCLUSIVE with the reason.
    /// </summary>
    public static IEnumerable<ClaimChecks> Spectrum(IReadOnlyList<OperatorNormPoint> points, double alpha = 0.05)
    {
        foreach (var q in points.Select(p => p.Quantity).Distinct().Order())
        {
            var ofQ = points.Where(p => p.Quantity == q).ToList();
            var bounded = ofQ.Where(p => TauRule.ParseBound(p.TauRule).IsPowerLaw(1, -0.5)).ToList();
            if (bounded.Count == 0) continue;
            var quarter = ofQ.Where(p => TauRule.ParseBound(p.TauRule).IsPowerLaw(1, -0.25)).ToList();
            string id = q == ProductQuantity.Whole ? "block-products-whole" : "block-products-all-pairs";
            string what = q == ProductQuantity.Whole ? "whole product J_L···J_1" : "largest over all pairs (a, b)";
            var controls = quarter.Count == 0 ? [] : new List<(ControlInfo, Check)>
            {
                (new ControlInfo(id + "/control-1", new JsonObject { ["tau"] = "L^-0.25" }, "tau = L^-0.25"), BoundedProducts(quarter, what, "L^−1/4", alpha)),
            };
            yield return new ClaimChecks(new ClaimInfo(id, F($"τ = 1/√L keeps the block products' norm bounded in L ({what})"), "Theorem 1 (claim 1, block products)", "operator-norm-bounded"),
                BoundedProducts(bounded, what, "1/√L", alpha), controls, ["spectrum"]);
        }
    }

    private static Check BoundedProducts(IReadOnlyList<OperatorNormPoint> group, string what, string tau, double alpha)
    {
        const double d = SpectrumMargin;
        string why = F($"(at τ = L^(−1/2+c), log‖P‖₂² ≥ log‖h_L‖²/‖h_0‖² ≈ L·τ² = L^(2c), a slope ≈ 2c·L^(2c) against log L: δ = {d:G3} is the L^−1/4 rule's slope at L = 1, reached by c = 0.1 near L = 100)");
        var all = group.OrderBy(p => p.Depth).ToList();
        var pts = all.Where(p => double.IsFinite(p.MeanLogSq) && double.IsFinite(p.MeanLo) && double.IsFinite(p.MeanHi)).ToList();
        var fit = pts.Count < 3 ? null : WeightedLineFit.Fit(pts.Select(p => Math.Log(p.Depth)).ToArray(), pts.Select(p => p.MeanLogSq).ToArray(),
            pts.Select(p => Math.Max((p.MeanHi - p.MeanLo) / 3.92, 1e-9)).ToArray());
        string over = pts.Count == 0 ? "" : F($"over L = {pts[0].Depth}..{pts[^1].Depth}");
        string missing = F($"{pts.Count} depth(s) with a finite mean log‖P‖₂² (grid L = {string.Join(", ", all.Select(p => p.Depth))}); the slope needs 3");
        string medians = pts.Count == 0 ? "" : F($"; median ‖P‖₂ {Math.Exp(pts[0].MedianLogSq / 2):G3} at L = {pts[0].Depth}, {Math.Exp(pts[^1].MedianLogSq / 2):G3} at L = {pts[^1].Depth}");
        var c = GrowthChecks.Equivalent(F($"stability of block products, {what} (τ = {tau})"),
            F($"‖D_b(I+τW_b)···D_a(I+τW_a)‖₂ bounded independent of L: slope of mean log‖P‖₂² vs log L → 0, |slope| < δ = {d:G3}"),
            why, fit, d, over, missing, alpha);
        return fit is null ? c : c with { Measurement = what + ": " + c.Measurement + medians };
    }

    /// <summary>
    /// Claim 4 from the training study's depth trends: at τ = 1/√L the rate does not fall with depth — every run converges
    /// (no divergence, no stall) and a non-inferiority t-test on the slope of rate against ln L (all runs, n − 2 degrees of
    /// freedom) rejects H₀: slope ≤ −δ, δ = (1 − <see cref="DepthVerdicts.RatioThreshold"/>)·rate(shallowest) / ln(L_deep/L_shallow),
    /// the slope at which the deepest rate would be half the shallowest. The control runs the same test on τ = 1/L with the
    /// same step size — the scaling of the earlier global-convergence analyses, whose kernel shrinks like 1/L — where it
    /// must FAIL.
    /// </summary>
    public static IEnumerable<ClaimChecks> Training(TrainingStudyResult r, double alpha = 0.05)
    {
        foreach (var t in r.Trends.Where(t => TauRule.ParseBound(t.TauRule).IsPowerLaw(1, -0.5)))
        {
            var controls = r.Trends.Where(u => u.StepSize == t.StepSize && TauRule.ParseBound(u.TauRule).IsPowerLaw(1, -1))
                .Select(u => (new ControlInfo("depth-independent-rate/control-1", new JsonObject { ["tau"] = "1/L" }, "tau = 1/L"), RateHolds(r, u, "τ = 1/L", alpha)))
                .ToList();
            yield return new ClaimChecks(new ClaimInfo("depth-independent-rate", F($"τ = 1/√L: gradient descent converges linearly at a rate that does not fall with depth (η = {t.StepSize:G3})"),
                "Theorem 3 (claim 4)", "rate-independent-of-depth"), RateHolds(r, t, "τ = 1/√L", alpha), controls, ["training"]);
        }
    }

    private static Check RateHolds(TrainingStudyResult r, DepthTrend t, string tau, double alpha)
    {
        var first = t.Depths[0];
        var last = t.Depths[^1];
        string claim = F($"global convergence at a depth-independent rate ({tau}, GD, η = {t.StepSize:G3})");
        string prediction = F($"every run converges linearly; rate(L = {last.Depth}) ≥ {DepthVerdicts.RatioThreshold}·rate(L = {first.Depth})");
        string test = F($"no run diverges or stalls, and a one-sided t-test of the slope of rate vs ln L rejects H₀: slope ≤ −δ, δ = {1 - DepthVerdicts.RatioThreshold}·rate(L = {first.Depth}) / ln({last.Depth}/{first.Depth}) ") +
            F($"(the slope that halves the rate over the depths), Holm-adjusted p ≤ {alpha:G3}; FAIL also when the slope's 95% upper bound lies below −δ");
        int diverged = t.Depths.Sum(d => d.Diverged), stalled = t.Depths.Sum(d => d.Stalled);
        bool allTrain = t.Depths.All(d => d.Diverged == 0 && d.Stalled == 0 && d.MeanRate is not null);
        string failures = F($"diverged {diverged}, stalled {stalled}; failures from L = {t.FailsFromDepth?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        // The runs DepthVerdicts fitted the line to: those with a rate that did not diverge.
        int n = r.Runs.Count(x => x.TauRule == t.TauRule && x.StepSize == t.StepSize && x.Outcome != TrainingOutcome.Diverged && x.Rate is not null);
        if (t.Slope is not double slope || t.SlopeUpper is not double hi || first.MeanRate is not double r0 || last.Depth <= first.Depth || n < 3)
            return allTrain
                ? Check.Inconclusive(claim, prediction, test, "no slope of rate against ln L (fewer than 3 runs with a rate, or one depth)")
                : new Check(claim, prediction, failures, test, null, _ => (VerdictOutcome.Fail, null));
        // The trend's interval is the two-sided 95% t-interval with n − 2 df (RateFit.Line over every run with a rate).
        double se = (hi - slope) / StudentT.InvCDF(0, 1, n - 2, 0.975);
        var line = new LineFit(slope, t.SlopeLower!.Value, hi, 0, se, 1, n);
        double delta = (1 - DepthVerdicts.RatioThreshold) * r0 / Math.Log((double)last.Depth / first.Depth);
        double? p = allTrain ? SlopeTests.Above(line, -delta) : null;
        return new Check(claim, prediction,
            F($"rate ratio deepest/shallowest {t.DeepToShallowRatio:F2}; slope of rate vs ln L {slope:G3} [{t.SlopeLower:G3}, {hi:G3}], δ = {delta:G3}; {failures}"),
            test, p, adj =>
                !allTrain ? (VerdictOutcome.Fail, null)
                : adj <= alpha ? (VerdictOutcome.Pass, null)
                : hi < -delta ? (VerdictOutcome.Fail, null)
                : (VerdictOutcome.Inconclusive, F($"a fall of the rate by half over the depths not excluded (Holm-adjusted p = {adj:G3})")));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
