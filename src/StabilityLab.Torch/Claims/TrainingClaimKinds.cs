using System.Globalization;
using MathNet.Numerics.Distributions;
using StabilityLab.Claims;
using StabilityLab.Fitting;
using StabilityLab.Torch.Training;

namespace StabilityLab.Torch.Claims;

/// <summary>
/// The tests of the training kinds (docs/claims.md §8), each on the runs of the claim's τ rule in its training study:
/// <list type="bullet">
/// <item>rate-independent-of-depth: every run trains (no divergence, no stall) and a non-inferiority t-test on the slope
/// of rate against ln L rejects a fall of the rate by half over the depths;</item>
/// <item>converges: every run ends below loss_fraction of its initial loss, and decays geometrically: the rate fitted over
/// the second half of the run is at least half the run's average rate (a loss falling like 1/t fails: its late rate is a
/// quarter of its average over 300 steps);</item>
/// <item>diverges: every run at the deepest depth diverges or stalls.</item>
/// </list>
/// The last two are deterministic for given seeds: PASS or FAIL without a p-value.
/// </summary>
public static class TrainingClaimKinds
{
    /// <summary>The late rate of a geometric decay is its average rate; below this fraction of it the decay is not geometric.</summary>
    public const double GeometricRateFraction = 0.5;

    public static Check Evaluate(Claim c, TrainingStudyResult study)
    {
        var rule = TrainingClaims.Rule(c).ToString();
        var runs = study.Runs.Where(r => r.TauRule == rule).OrderBy(r => r.Depth).ThenBy(r => r.Seed).ToList();
        var t = c.Training!;
        string label = $"{c.Id}: {c.Statement}";
        if (runs.Count == 0) return Check.Inconclusive(label, Prediction(c), Test(c), "no run of this τ rule in the study");
        return c.Kind switch
        {
            ClaimKind.RateIndependentOfDepth => RateHolds(label, study, study.Trends.Single(x => x.TauRule == rule), rule, c.Alpha),
            ClaimKind.Converges => Converges(label, c, runs),
            _ => Diverges(label, c, runs),
        };
    }

    /// <summary>The check of a claim whose study could not run (its data are missing): INCONCLUSIVE with the reason.</summary>
    public static Check NotRun(Claim c, string why) => Check.Inconclusive($"{c.Id}: {c.Statement}", Prediction(c), Test(c), why);

    private static string Prediction(Claim c) => c.Kind switch
    {
        ClaimKind.RateIndependentOfDepth => F($"every run converges linearly; the rate does not fall by half from L = {c.Depths[0]} to L = {c.Depths[^1]}"),
        ClaimKind.Converges => F($"every run's loss decays geometrically to below {c.Training!.LossFraction:G3} of its initial value"),
        _ => F($"every run at L = {c.Depths[^1]} diverges or stalls"),
    };

    private static string Test(Claim c) => c.Kind switch
    {
        ClaimKind.RateIndependentOfDepth => F($"no run diverges or stalls, and a one-sided t-test of the slope of rate vs ln L rejects H₀: slope ≤ −δ, ")
            + F($"δ = {1 - DepthVerdicts.RatioThreshold}·rate(shallowest) / ln(L_deep/L_shallow), Holm-adjusted p ≤ {c.Alpha:G3}; FAIL also when the slope's 95% upper bound lies below −δ"),
        ClaimKind.Converges => F($"every run: not diverged, final/initial loss ≤ {c.Training!.LossFraction:G3}, and the rate fitted over the second half ≥ {GeometricRateFraction}× the average rate −ln(final/initial)/steps"),
        _ => F($"every run at the deepest depth diverges (non-finite loss or {new TrainingOptions().DivergenceFactor:G3}× the initial) or ends above {DepthVerdicts.StallRatio}× its initial loss"),
    };

    private static Check Converges(string label, Claim c, IReadOnlyList<SweepRun> runs)
    {
        double fraction = c.Training!.LossFraction;
        var bad = new List<string>();
        double worstRatio = double.NaN, worstGeometric = double.PositiveInfinity;
        foreach (var r in runs)
        {
            string at = F($"L = {r.Depth}, seed {r.Seed}");
            if (r.Outcome == TrainingOutcome.Diverged) { bad.Add(at + ": diverged"); continue; }
            double ratio = r.FinalLoss / r.InitialLoss;
            worstRatio = double.IsNaN(worstRatio) ? ratio : Math.Max(worstRatio, ratio);
            if (!(ratio <= fraction)) bad.Add(F($"{at}: loss ratio {ratio:G3}"));
            double average = -Math.Log(ratio) / Math.Max(1, r.StepsDone);
            double geometric = r.Rate is { } rate && average > 0 ? rate.Rate / average : 0;
            worstGeometric = Math.Min(worstGeometric, geometric);
            if (!(geometric >= GeometricRateFraction)) bad.Add(F($"{at}: late/average rate {geometric:G3}"));
        }
        string G(double v) => double.IsFinite(v) ? v.ToString("G3", CultureInfo.InvariantCulture) : "—";
        string measured = F($"{runs.Count} runs; largest final/initial loss {G(worstRatio)}; smallest late/average rate {G(worstGeometric)}")
            + (bad.Count == 0 ? "" : "; " + string.Join("; ", bad.Take(4)) + (bad.Count > 4 ? F($"; … {bad.Count - 4} more") : ""));
        var outcome = bad.Count == 0 ? VerdictOutcome.Pass : VerdictOutcome.Fail;
        return new Check(label, Prediction(c), measured, Test(c), null, _ => (outcome, null));
    }

    private static Check Diverges(string label, Claim c, IReadOnlyList<SweepRun> runs)
    {
        int deepest = runs.Max(r => r.Depth);
        var deep = runs.Where(r => r.Depth == deepest).ToList();
        int failed = deep.Count(r => r.Outcome == TrainingOutcome.Diverged || r.Stalled(DepthVerdicts.StallRatio));
        var outcome = failed == deep.Count ? VerdictOutcome.Pass : VerdictOutcome.Fail;
        return new Check(label, Prediction(c), F($"L = {deepest}: {failed} of {deep.Count} runs diverged or stalled ({deep.Count(r => r.Outcome == TrainingOutcome.Diverged)} diverged)"),
            Test(c), null, _ => (outcome, null));
    }

    /// <summary>
    /// At the claim's τ the rate does not fall with depth: every run converges (no divergence, no stall) and a
    /// non-inferiority t-test on the slope of rate against ln L (all runs, n − 2 degrees of freedom) rejects H₀: slope ≤ −δ,
    /// δ = (1 − <see cref="DepthVerdicts.RatioThreshold"/>)·rate(shallowest) / ln(L_deep/L_shallow), the slope at which the
    /// deepest rate would be half the shallowest.
    /// </summary>
    private static Check RateHolds(string label, TrainingStudyResult r, DepthTrend t, string tau, double alpha)
    {
        var first = t.Depths[0];
        var last = t.Depths[^1];
        string prediction = F($"every run converges linearly; rate(L = {last.Depth}) ≥ {DepthVerdicts.RatioThreshold}·rate(L = {first.Depth}) (τ = {tau}, GD, η = {t.StepSize:G3})");
        string test = F($"no run diverges or stalls, and a one-sided t-test of the slope of rate vs ln L rejects H₀: slope ≤ −δ, δ = {1 - DepthVerdicts.RatioThreshold}·rate(L = {first.Depth}) / ln({last.Depth}/{first.Depth}) ") +
            F($"(the slope that halves the rate over the depths), Holm-adjusted p ≤ {alpha:G3}; FAIL also when the slope's 95% upper bound lies below −δ");
        int diverged = t.Depths.Sum(d => d.Diverged), stalled = t.Depths.Sum(d => d.Stalled);
        bool allTrain = t.Depths.All(d => d.Diverged == 0 && d.Stalled == 0 && d.MeanRate is not null);
        string failures = F($"diverged {diverged}, stalled {stalled}; failures from L = {t.FailsFromDepth?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        // The runs DepthVerdicts fitted the line to: those with a rate that did not diverge.
        int n = r.Runs.Count(x => x.TauRule == t.TauRule && x.StepSize == t.StepSize && x.Outcome != TrainingOutcome.Diverged && x.Rate is not null);
        if (t.Slope is not double slope || t.SlopeUpper is not double hi || first.MeanRate is not double r0 || last.Depth <= first.Depth || n < 3)
            return allTrain
                ? Check.Inconclusive(label, prediction, test, "no slope of rate against ln L (fewer than 3 runs with a rate, or one depth)")
                : new Check(label, prediction, failures, test, null, _ => (VerdictOutcome.Fail, null));
        // The trend's interval is the two-sided 95% t-interval with n − 2 df (RateFit.Line over every run with a rate).
        double se = (hi - slope) / StudentT.InvCDF(0, 1, n - 2, 0.975);
        var line = new LineFit(slope, t.SlopeLower!.Value, hi, 0, se, 1, n);
        double delta = (1 - DepthVerdicts.RatioThreshold) * r0 / Math.Log((double)last.Depth / first.Depth);
        double? p = allTrain ? SlopeTests.Above(line, -delta) : null;
        return new Check(label, prediction,
            F($"rate ratio deepest/shallowest {t.DeepToShallowRatio:F2}{Predicted(r, t)}; slope of rate vs ln L {slope:G3} [{t.SlopeLower:G3}, {hi:G3}], δ = {delta:G3}; {failures}"),
            test, p, adj =>
                !allTrain ? (VerdictOutcome.Fail, null)
                : adj <= alpha ? (VerdictOutcome.Pass, null)
                : hi < -delta ? (VerdictOutcome.Fail, null)
                : (VerdictOutcome.Inconclusive, F($"a fall of the rate by half over the depths not excluded (Holm-adjusted p = {adj:G3})")));
    }

    /// <summary>", NTK-predicted 1.10 (λ_min 103 → 102)": the same ratio of the linearized dynamics' rates, where the study has them.</summary>
    private static string Predicted(TrainingStudyResult r, DepthTrend t)
    {
        var runs = r.Runs.Where(x => x.TauRule == t.TauRule && x.StepSize == t.StepSize && x.PredictedRate is not null && x.NtkLambdaMin is not null).ToList();
        int lo = t.Depths[0].Depth, hi = t.Depths[^1].Depth;
        var first = runs.Where(x => x.Depth == lo).ToList();
        var last = runs.Where(x => x.Depth == hi).ToList();
        if (first.Count == 0 || last.Count == 0) return "";
        double ratio = last.Average(x => x.PredictedRate!.Value) / first.Average(x => x.PredictedRate!.Value);
        return F($", NTK-predicted {ratio:F2} (mean λ_min(Θ) {first.Average(x => x.NtkLambdaMin!.Value):G3} at L = {lo}, {last.Average(x => x.NtkLambdaMin!.Value):G3} at L = {hi})");
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
