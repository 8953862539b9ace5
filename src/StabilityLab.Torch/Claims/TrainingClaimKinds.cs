using System.Globalization;
using StabilityLab.Claims;
using StabilityLab.Fitting;
using StabilityLab.Torch.Training;

namespace StabilityLab.Torch.Claims;

/// <summary>
/// The tests of the training kinds (docs/claims.md §8), each on the runs of the claim's τ rule in its training study:
/// <list type="bullet">
/// <item>rate-independent-of-depth: every run trains (no divergence, no stall), and equivalence tests on the slopes of the
/// measured and the NTK-predicted rate against ln L show a change by less than the margin over the depths, with λ_min(Θ)
/// not falling by more than that (<see cref="SlopeBand"/>);</item>
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
            ClaimKind.RateIndependentOfDepth => RateHolds(label, study, study.Trends.Single(x => x.TauRule == rule), rule, c.Alpha, c.Margin),
            ClaimKind.Converges => Converges(label, c, runs),
            _ => Diverges(label, c, runs),
        };
    }

    /// <summary>The check of a claim whose study could not run (its data are missing): INCONCLUSIVE with the reason.</summary>
    public static Check NotRun(Claim c, string why) => Check.Inconclusive($"{c.Id}: {c.Statement}", Prediction(c), Test(c), why);

    private static string Prediction(Claim c) => c.Kind switch
    {
        ClaimKind.RateIndependentOfDepth => F($"every run converges linearly; the rate stays within ±{c.Margin:G3} of its value at L = {c.Depths[0]} up to L = {c.Depths[^1]}"),
        ClaimKind.Converges => F($"every run's loss decays geometrically to below {c.Training!.LossFraction:G3} of its initial value"),
        _ => F($"every run at L = {c.Depths[^1]} diverges or stalls"),
    };

    private static string Test(Claim c) => c.Kind switch
    {
        ClaimKind.RateIndependentOfDepth => F($"no run diverges or stalls; two one-sided t-tests of |slope| < δ on rate vs ln L, measured and NTK-predicted, δ = {c.Margin:G3}·rate(shallowest) / ln(L_deep/L_shallow), and λ_min(Θ) not falling by more than that fraction; Holm-adjusted p ≤ {c.Alpha:G3}"),
        ClaimKind.Converges => F($"every run: not diverged, final loss ≤ {c.Training!.LossFraction:G3}× the smaller of its initial loss and the zero predictor's (½Σ‖y‖²), and the rate fitted over the second half ≥ {GeometricRateFraction}× the average rate −ln(final/initial)/steps"),
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
            // Reached: against the reference, the initial loss or the zero predictor's where that is smaller (SweepRun.Reference);
            // geometric: the late rate against the curve's own average, from its initial loss.
            double ratio = r.FinalLoss / r.Reference;
            worstRatio = double.IsNaN(worstRatio) ? ratio : Math.Max(worstRatio, ratio);
            if (!(ratio <= fraction)) bad.Add(F($"{at}: loss ratio {ratio:G3}"));
            double average = -Math.Log(r.FinalLoss / r.InitialLoss) / Math.Max(1, r.StepsDone);
            double geometric = r.Rate is { } rate && average > 0 ? rate.Rate / average : 0;
            worstGeometric = Math.Min(worstGeometric, geometric);
            if (!(geometric >= GeometricRateFraction)) bad.Add(F($"{at}: late/average rate {geometric:G3}"));
        }
        string G(double v) => double.IsFinite(v) ? v.ToString("G3", CultureInfo.InvariantCulture) : "—";
        string measured = F($"{runs.Count} runs; largest final loss / reference {G(worstRatio)}; smallest late/average rate {G(worstGeometric)}")
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
    /// At the claim's τ the rate is the same at every depth, shown by equivalence (docs/claims.md §8): every run trains
    /// (no divergence, no stall), and three tests on lines against ln L over all runs (fitted within seeds, <see cref="SlopeBand"/>)
    /// all reject, the claim's p being the largest (intersection–union):
    /// <list type="number">
    /// <item>the measured rate: two one-sided tests of |slope| &lt; δ, δ = margin·rate(shallowest)/ln(L_deep/L_shallow),
    /// i.e. along the fitted line the rate changes by less than the margin's fraction over the claim's depths;</item>
    /// <item>the NTK-predicted rate of the same runs (the linearized dynamics), by the same test with its own δ;</item>
    /// <item>λ_min(Θ) bounded below uniformly in L: the one-sided test of H₀: slope ≤ −δ_λ, δ_λ = margin·λ_min(shallowest)/ln(L_deep/L_shallow).</item>
    /// </list>
    /// FAIL when a run diverges or stalls, or some test's statistic lies significantly outside its band (one-sided t,
    /// Bonferroni over the tests); otherwise INCONCLUSIVE. The power of each equivalence test at slope 0 is reported.
    /// </summary>
    private static Check RateHolds(string label, TrainingStudyResult r, DepthTrend t, string tau, double alpha, double margin)
    {
        var first = t.Depths[0];
        var last = t.Depths[^1];
        double span = Math.Log((double)last.Depth / first.Depth);
        string prediction = F($"every run converges linearly; the rate, its NTK prediction and λ_min(Θ) stay within ±{margin:G3} of their value at L = {first.Depth} up to L = {last.Depth} (τ = {tau}, GD, {Steps(r, t)})");
        string test = F($"no run diverges or stalls; two one-sided t-tests of |slope| < δ on rate vs ln L, measured and NTK-predicted (δ = {margin:G3}·rate(L = {first.Depth}) / ln({last.Depth}/{first.Depth})), ")
            + F($"and a one-sided t-test rejecting slope ≤ −δ_λ for λ_min(Θ); PASS when the largest p, Holm-adjusted, ≤ {alpha:G3}; FAIL when a slope lies significantly outside its band (Bonferroni)");
        int diverged = t.Depths.Sum(d => d.Diverged), stalled = t.Depths.Sum(d => d.Stalled);
        bool allTrain = t.Depths.All(d => d.Diverged == 0 && d.Stalled == 0 && d.MeanRate is not null);
        string failures = F($"diverged {diverged}, stalled {stalled}; failures from L = {t.FailsFromDepth?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        var runs = r.Runs.Where(x => t.Includes(x) && x.Outcome != TrainingOutcome.Diverged && x.Rate is not null).ToList();
        bool sloped = runs.Select(x => x.Depth).Distinct().Count() >= 2 && runs.Count >= 3 && span > 0;
        if (!sloped)
            return allTrain
                ? Check.Inconclusive(label, prediction, test, "no slope against ln L (fewer than 3 runs with a rate, or one depth)")
                : new Check(label, prediction, failures, test, null, _ => (VerdictOutcome.Fail, null));

        var tests = new List<SlopeBand>
        {
            SlopeBand.Equivalent("rate", runs, x => x.Rate!.Rate, first.Depth, margin, span, alpha),
        };
        if (runs.All(x => x.PredictedRate is not null))
            tests.Add(SlopeBand.Equivalent("NTK-predicted rate", runs, x => x.PredictedRate!.Value, first.Depth, margin, span, alpha));
        if (runs.All(x => x.NtkLambdaMin is not null))
            tests.Add(SlopeBand.NotFalling("λ_min(Θ)", runs, x => x.NtkLambdaMin!.Value, first.Depth, margin, span, alpha));
        // A run that diverges or stalls fails the claim; the slopes are still shown, as the evidence beside it.
        if (!allTrain)
            return new Check(label, prediction, failures + "; " + string.Join("; ", tests.Select(x => x.Describe())), test, null, _ => (VerdictOutcome.Fail, null));
        if (tests.Any(x => x.Line is null))
            return Check.Inconclusive(label, prediction, test, F($"a flat line against ln L leaves no slope SE ({string.Join(", ", tests.Where(x => x.Line is null).Select(x => x.Name))})"));
        var outside = tests.MinBy(x => x.POutside)!;
        double pOutside = Math.Min(1, tests.Count * outside.POutside);
        var least = tests.MaxBy(x => x.P)!;
        string measured = F($"{runs.Count} runs; rate ratio deepest/shallowest {t.DeepToShallowRatio:F2}{Predicted(r, t)}; ") + string.Join("; ", tests.Select(x => x.Describe()));
        return new Check(label, prediction, measured, test, least.P, adj =>
            adj <= alpha ? (VerdictOutcome.Pass, null)
            : pOutside <= alpha ? (VerdictOutcome.Fail, F($"{outside.Name}: slope outside its band (Bonferroni p = {pOutside:G3})"))
            : (VerdictOutcome.Inconclusive, F($"equivalence not shown (Holm-adjusted p = {adj:G3}); least shown: {least.Name}, power at slope 0 {least.Power:F2}")));
    }

    /// <summary>"η = 0.000291", or, where the step size varies with depth ("lr": "largest-stable"), "η by depth L = 4: 3.6e-05, …".</summary>
    private static string Steps(TrainingStudyResult r, DepthTrend t) => !double.IsNaN(t.StepSize)
        ? F($"η = {t.StepSize:G3}")
        : "η by depth (largest stable on the halving grid) " + string.Join(", ", r.Runs.Where(t.Includes).GroupBy(x => x.Depth).OrderBy(g => g.Key)
            .Select(g => F($"L = {g.Key}: {g.First().StepSize:G3}")));

    /// <summary>", NTK-predicted 1.10 (λ_min 103 → 102)": the same ratio of the linearized dynamics' rates, where the study has them.</summary>
    private static string Predicted(TrainingStudyResult r, DepthTrend t)
    {
        var runs = r.Runs.Where(x => t.Includes(x) && x.PredictedRate is not null && x.NtkLambdaMin is not null).ToList();
        int lo = t.Depths[0].Depth, hi = t.Depths[^1].Depth;
        var first = runs.Where(x => x.Depth == lo).ToList();
        var last = runs.Where(x => x.Depth == hi).ToList();
        if (first.Count == 0 || last.Count == 0) return "";
        double ratio = last.Average(x => x.PredictedRate!.Value) / first.Average(x => x.PredictedRate!.Value);
        return F($", NTK-predicted {ratio:F2} (mean λ_min(Θ) {first.Average(x => x.NtkLambdaMin!.Value):G3} at L = {lo}, {last.Average(x => x.NtkLambdaMin!.Value):G3} at L = {hi})");
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
