using System.Text.Json.Nodes;
using StabilityLab.Claims;
using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Torch.Claims;
using StabilityLab.Torch.Training;

namespace StabilityLab.Tests.Claims;

/// <summary>
/// The training kinds of a claims file: how they are read, and their tests on runs whose curves are known — a geometric
/// decay (and a mixture of two, as the linearized dynamics give) converges; a loss falling like 1/t does not, though it
/// ends below 1% of its start; a run that ends above the fraction does not; diverges is about the deepest depth.
/// </summary>
public class TrainingClaimTests
{
    private static JsonObject TrainingClaim(string kind) => new()
    {
        ["id"] = "t1",
        ["statement"] = "trains",
        ["kind"] = kind,
        ["network"] = new JsonObject { ["width"] = 32 },
        ["tau"] = "1/sqrt(L)",
        ["depths"] = new JsonArray(4, 16, 64),
        ["lr"] = 1e-4,
        ["controls"] = new JsonArray(new JsonObject { ["tau"] = "1/L" }),
    };

    private static Claim Parse(JsonObject o) => ClaimsFile.Parse(ClaimsFileTests.File(o), "x.json").Claims.Single();

    [Test]
    public void ATrainingClaimReadsWithItsDefaultsAndItsControlSharesItsSettings()
    {
        var c = Parse(TrainingClaim("converges"));
        Assert.Multiple(() =>
        {
            Assert.That(c.Quantity, Is.EqualTo(Quantity.Loss));
            Assert.That(c.Trials, Is.Zero);
            Assert.That(c.Training, Is.EqualTo(new ClaimTraining(ClaimTraining.DefaultSamples, ClaimTraining.DefaultInputDim, ClaimTraining.DefaultSteps,
                ClaimTraining.DefaultSeeds, 1e-4, "gd", "synthetic", "w", ClaimTraining.DefaultLossFraction)));
            Assert.That(c.Controls.Single().Claim.Training, Is.EqualTo(c.Training));
        });
        // The claim and its τ control train in one study (same data and seeds), holding both rules.
        var plan = TrainingClaims.Plan([c, c.Controls[0].Claim], seed: 5);
        Assert.That(TrainingClaims.Key(plan[c.Id]), Is.EqualTo(TrainingClaims.Key(plan[c.Controls[0].Claim.Id])));
        Assert.That(plan[c.Id].TauRules.Select(r => r.ToString()), Is.EqualTo(new[] { "1/sqrt(L)", "1/L" }));
        Assert.That(plan[c.Id].Seeds, Is.EqualTo(new ulong[] { 5, 6 }));
        // Another step size is another study.
        var other = Parse(TrainingClaim("converges").Also(o => o["lr"] = 2e-4));
        Assert.That(TrainingClaims.Key(TrainingClaims.Plan([other], 5)[other.Id]), Is.Not.EqualTo(TrainingClaims.Key(plan[c.Id])));
    }

    [Test]
    public void TheRulesFractionSetsTheStudysStepSize()
    {
        // Without lr the NTK rule sets η = c·2/λ_max over the study's networks and seeds: c = 0.8 gives 1.6 times the step
        // of the default c = ½ (to the 3 digits η is rounded to), and its own study; a largest-stable control keeps the
        // claim's fraction and starts from the claim's step.
        JsonObject Claim(double? c) => TrainingClaim("converges").Also(o =>
        {
            o.Remove("lr");
            o["network"] = new JsonObject { ["width"] = 16 };
            o["depths"] = new JsonArray(2, 4);
            o["samples"] = 4;
            o["input_dim"] = 3;
            if (c is { } v) o["lr_fraction"] = v;
            o["controls"] = new JsonArray(new JsonObject { ["tau"] = "1", ["lr"] = "largest-stable" });
        });
        var half = Parse(Claim(null));
        var fast = Parse(Claim(0.8));
        Assert.That(half.Training!.LrFraction, Is.EqualTo(ClaimTraining.DefaultLrFraction));
        Assert.That(fast.Controls.Single().Claim.Training!.LrFraction, Is.EqualTo(0.8));
        double etaHalf = TrainingClaims.Plan([half], 3)[half.Id].StepSizes.Single();
        double etaFast = TrainingClaims.Plan([fast], 3)[fast.Id].StepSizes.Single();
        Assert.That(etaFast / etaHalf, Is.EqualTo(1.6).Within(0.01));
        Assert.That(TrainingClaims.Key(TrainingClaims.Plan([fast], 3)[fast.Id]), Is.Not.EqualTo(TrainingClaims.Key(TrainingClaims.Plan([half], 3)[half.Id])));
    }

    [Test]
    public void AnUnknownOptimizerOrDatasetIsRefusedBeforeAnyWork()
    {
        foreach (var (key, value) in new[] { ("optimizer", "adamw"), ("dataset", "cifar") })
        {
            var c = Parse(TrainingClaim("converges").Also(o => o[key] = value));
            var e = Assert.Throws<SpecException>(() => new TrainingClaims().Validate([c], 1))!;
            Assert.That(e.Message, Does.Contain("t1").And.Contain(value));
        }
    }

    [Test]
    public void CheckWithoutTheTrainingRunnerRefusesTheClaimAndWritesNothing()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sl-train-norunner-" + Guid.NewGuid().ToString("N")[..8]);
        var file = ClaimsFile.Parse(ClaimsFileTests.File(TrainingClaim("rate-independent-of-depth")), "x.json");
        var e = Assert.Throws<SpecException>(() => ClaimCheck.Run(file, dir))!;
        Assert.That(e.Message, Does.Contain("t1").And.Contain("ClaimRunners"));
        Assert.That(Directory.Exists(dir), Is.False);
    }

    /// <summary>A run of 300 steps of the curve loss(t), its rate fitted by the trainer's own fit.</summary>
    private static SweepRun Run(int depth, ulong seed, Func<int, double> loss, string tau = "1/sqrt(L)", TrainingOutcome outcome = TrainingOutcome.Completed)
    {
        var curve = Enumerable.Range(0, 301).Select(t => new CurvePoint(t, loss(t), loss(t) / 32, null, null, null)).ToList();
        return new SweepRun(SweepRun.MakeId(depth, tau, seed, 1e-4), depth, tau, 0.1, seed, 1e-4, outcome, 300, null, loss(0), loss(300),
            outcome == TrainingOutcome.Diverged ? null : RateFit.Fit(curve), null, null, 1, 0);
    }

    private static VerdictOutcome Verdict(string kind, params SweepRun[] runs)
    {
        var claim = Parse(TrainingClaim(kind));
        var study = new TrainingStudyResult("d", runs, DepthVerdicts.Analyze(runs), runs.Length, "synthetic");
        var check = TrainingClaimKinds.Evaluate(claim, study);
        return VerdictFamily.Resolve([check]).Single().Result;
    }

    private static SweepRun[] AtEveryDepth(Func<int, double> loss) => [.. new[] { 4, 16, 64 }.SelectMany(L => new[] { Run(L, 1, loss), Run(L, 2, loss) })];

    [Test]
    public void ConvergesPassesOnGeometricDecayAndFailsOnOneOverTOrOnAShallowDecay()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Verdict("converges", AtEveryDepth(t => 50 * Math.Exp(-0.03 * t))), Is.EqualTo(VerdictOutcome.Pass), "geometric");
            Assert.That(Verdict("converges", AtEveryDepth(t => 25 * Math.Exp(-0.05 * t) + 25 * Math.Exp(-0.02 * t))), Is.EqualTo(VerdictOutcome.Pass),
                "two modes, as the linearized dynamics give");
            Assert.That(Verdict("converges", AtEveryDepth(t => 50.0 / (1 + t))), Is.EqualTo(VerdictOutcome.Fail), "1/t ends at 0.33% yet is not geometric");
            Assert.That(Verdict("converges", AtEveryDepth(t => 50 * Math.Exp(-0.01 * t))), Is.EqualTo(VerdictOutcome.Fail), "geometric but ends at 5%");
            var oneDiverged = AtEveryDepth(t => 50 * Math.Exp(-0.03 * t));
            oneDiverged[^1] = Run(64, 2, t => 50 * Math.Exp(0.03 * t), outcome: TrainingOutcome.Diverged);
            Assert.That(Verdict("converges", oneDiverged), Is.EqualTo(VerdictOutcome.Fail), "one diverged run");
        });
    }

    [Test]
    public void DivergesIsAboutTheDeepestDepth()
    {
        var deepFails = new[] { 4, 16 }.Select(L => Run(L, 1, t => 50 * Math.Exp(-0.03 * t)))
            .Append(Run(64, 1, t => 50 * Math.Exp(0.05 * t), outcome: TrainingOutcome.Diverged)).ToArray();
        var deepStalls = deepFails[..2].Append(Run(64, 1, t => 50 * Math.Exp(-0.0001 * t))).ToArray();
        var deepTrains = AtEveryDepth(t => 50 * Math.Exp(-0.03 * t));
        Assert.Multiple(() =>
        {
            Assert.That(Verdict("diverges", deepFails), Is.EqualTo(VerdictOutcome.Pass));
            Assert.That(Verdict("diverges", deepStalls), Is.EqualTo(VerdictOutcome.Pass), "a stalled run (final loss above half the initial) counts");
            Assert.That(Verdict("diverges", deepTrains), Is.EqualTo(VerdictOutcome.Fail));
        });
    }

    [Test]
    public void RateIndependentOfDepthFailsWhenTheRateFallsLikeOneOverL()
    {
        // Rates 0.02 at every depth: PASS; rates 0.08/L: the deepest is 1/16 of the shallowest, FAIL.
        SweepRun[] Rates(Func<int, double> rate) => [.. new[] { 4, 16, 64 }.SelectMany(L => new ulong[] { 1, 2, 3 }.Select(s =>
            Run(L, s, t => 50 * Math.Exp(-rate(L) * (1 + 0.01 * s) * t))))];
        Assert.Multiple(() =>
        {
            Assert.That(Verdict("rate-independent-of-depth", Rates(_ => 0.02)), Is.EqualTo(VerdictOutcome.Pass));
            Assert.That(Verdict("rate-independent-of-depth", Rates(L => 0.32 / L)), Is.EqualTo(VerdictOutcome.Fail));
        });
    }

    [Test]
    public void RateIndependentOfDepthIsAnEquivalenceTestARisingRateFailsAndNoiseIsInconclusive()
    {
        // A rate growing like √L (4× over 4 → 64) is not independent of depth either; the one-sided test passed it.
        SweepRun[] Rates(Func<int, ulong, double> rate) => [.. new[] { 4, 16, 64 }.SelectMany(L => new ulong[] { 1, 2, 3 }.Select(s =>
            Run(L, s, t => 50 * Math.Exp(-rate(L, s) * t))))];
        Assert.Multiple(() =>
        {
            Assert.That(Verdict("rate-independent-of-depth", Rates((L, s) => 0.01 * Math.Sqrt(L / 4.0) * (1 + 0.01 * s))), Is.EqualTo(VerdictOutcome.Fail), "rising");
            // Runs ±50% around a flat 0.02, alternating with depth and seed (so the within-seed fit keeps the spread): the
            // slope is 0 but its SE (≈ 0.0037) is too wide to show it inside δ = 0.5·0.02/ln 16 ≈ 0.0036.
            Assert.That(Verdict("rate-independent-of-depth", Rates((L, s) => 0.02 * (1 + 0.5 * Math.Pow(-1, Math.Round(Math.Log(L, 4)) + s)))), Is.EqualTo(VerdictOutcome.Inconclusive), "noisy");
        });
    }

    [Test]
    public void RateIndependentOfDepthAlsoTestsTheNtkPredictedRateAndLambdaMin()
    {
        SweepRun[] Runs(Func<int, double> predicted, Func<int, double> lambdaMin) => [.. new[] { 4, 16, 64 }.SelectMany(L => new ulong[] { 1, 2, 3 }.Select(s =>
            Run(L, s, t => 50 * Math.Exp(-0.02 * (1 + 0.01 * s) * t)) with { PredictedRate = predicted(L) * (1 + 0.01 * s), NtkLambdaMin = lambdaMin(L) * (1 + 0.01 * s) }))];
        Assert.Multiple(() =>
        {
            Assert.That(Verdict("rate-independent-of-depth", Runs(_ => 0.025, _ => 40)), Is.EqualTo(VerdictOutcome.Pass), "all flat");
            Assert.That(Verdict("rate-independent-of-depth", Runs(L => 0.4 / L, _ => 40)), Is.EqualTo(VerdictOutcome.Fail), "the prediction falls like 1/L");
            Assert.That(Verdict("rate-independent-of-depth", Runs(_ => 0.025, L => 640.0 / L)), Is.EqualTo(VerdictOutcome.Fail), "λ_min falls like 1/L");
            Assert.That(Verdict("rate-independent-of-depth", Runs(_ => 0.025, L => 10.0 * L)), Is.EqualTo(VerdictOutcome.Pass), "a growing λ_min is bounded below");
        });
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject o, Action<JsonObject> edit) { edit(o); return o; }
}
