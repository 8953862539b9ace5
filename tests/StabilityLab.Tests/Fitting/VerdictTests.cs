using MathNet.Numerics.Distributions;
using StabilityLab.Cli;
using StabilityLab.Fitting;

namespace StabilityLab.Tests.Fitting;

/// <summary>Three-way verdicts: the equivalence test of "no growth", Holm's adjustment, headlines and exit codes.</summary>
public class VerdictTests
{
    /// <summary>log E ratio at L = 2^4 … 2^(3+n), ∝ L^slope, with lognormal noise of the stated relative SE.</summary>
    private static List<GrowthPoint> Series(int n, double slope, double relSe, int seed)
    {
        var noise = new Normal(0, relSe, new Random(seed));
        return Enumerable.Range(4, n).Select(k =>
        {
            int L = 1 << k;
            double v = 2 * Math.Pow(L, slope) * Math.Exp(noise.Sample());
            return new GrowthPoint(L, v, v * (1 - 1.96 * relSe), v * (1 + 1.96 * relSe));
        }).ToList();
    }

    private static Verdict NoGrowth(IReadOnlyList<GrowthPoint> pts) =>
        VerdictFamily.Resolve([GrowthChecks.NoGrowth("no growth", GrowthFit.Slope(pts), GrowthChecks.DefaultMargin, 1)]).Single();

    [Test]
    public void EquivalencePassesOnALongFlatSeriesAndIsInconclusiveOnAFewPointsOfIt()
    {
        var flat = Series(12, 0, 0.1, seed: 11);
        var full = NoGrowth(flat);
        Assert.That(full.Result, Is.EqualTo(VerdictOutcome.Pass), full.Measurement);
        // Less data must not make "no growth" easier to pass: the first 3 points cannot show it, 2 cannot be fitted.
        var three = NoGrowth(flat.Take(3).ToList());
        Assert.That(three.Result, Is.EqualTo(VerdictOutcome.Inconclusive), three.Measurement);
        Assert.That(three.Reason, Does.Contain("underpowered"));
        Assert.That(three.PValue!.Value, Is.GreaterThan(full.PValue!.Value));
        var two = NoGrowth(flat.Take(2).ToList());
        Assert.That(two.Result, Is.EqualTo(VerdictOutcome.Inconclusive));
        Assert.That(two.Reason, Does.Contain("fewer than 3 depths"));
        Assert.That(two.Pass, Is.False);
    }

    [Test]
    public void EquivalencePowerGrowsWithData()
    {
        var flat = Series(12, 0, 0.1, seed: 11);
        var longer = SlopeTests.Tost(GrowthFit.Slope(flat)!, GrowthChecks.DefaultMargin);
        var shorter = SlopeTests.Tost(GrowthFit.Slope(flat.Take(4).ToList())!, GrowthChecks.DefaultMargin);
        Assert.That(longer.Power, Is.GreaterThan(shorter.Power));
        Assert.That(longer.Hi - longer.Lo, Is.LessThan(shorter.Hi - shorter.Lo));
    }

    [Test]
    public void RealGrowthFailsTheNoGrowthCheck()
    {
        // τ = L^(−1/2+c) with c = 0.2: slope 0.4, four times the margin.
        var v = NoGrowth(Series(6, 0.4, 0.05, seed: 5));
        Assert.That(v.Result, Is.EqualTo(VerdictOutcome.Fail), v.Measurement);
        Assert.That(v.Reason, Is.Null);
    }

    [Test]
    public void HolmAdjustmentMatchesHandDerivedValues()
    {
        // Sorted: 0.005, 0.01, 0.03, 0.04 → 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06.
        Assert.That(Holm.Adjust([0.01, 0.04, 0.03, 0.005]), Is.EqualTo(new[] { 0.03, 0.06, 0.06, 0.02 }).Within(1e-12));
        // Capped at 1, and kept monotone: 2·0.5 = 1, max(1, 0.6) = 1.
        Assert.That(Holm.Adjust([0.6, 0.5]), Is.EqualTo(new[] { 1.0, 1.0 }).Within(1e-12));
        // One p-value: unchanged.
        Assert.That(Holm.Adjust([0.2]), Is.EqualTo(new[] { 0.2 }).Within(1e-12));
    }

    [Test]
    public void AFamilyDecidesOnAdjustedPValuesAndTheHeadlineCountsAllThreeOutcomes()
    {
        static Check Tested(string name, double p) => new(name, "", "", "", p,
            adj => adj <= 0.05 ? (VerdictOutcome.Pass, null) : (VerdictOutcome.Inconclusive, "not shown"));
        var verdicts = VerdictFamily.Resolve(
        [
            Tested("a", 0.01), Tested("b", 0.04), Tested("c", 0.03), Tested("d", 0.005),
            Check.Inconclusive("e", "", "", "no data"),
            new Check("f", "", "", "", null, _ => (VerdictOutcome.Fail, null)),
        ]);
        // b and c pass at 0.05 alone but not after Holm over the four tested checks (adjusted 0.06).
        Assert.That(verdicts.Select(v => v.Result), Is.EqualTo(new[]
        {
            VerdictOutcome.Pass, VerdictOutcome.Inconclusive, VerdictOutcome.Inconclusive, VerdictOutcome.Pass,
            VerdictOutcome.Inconclusive, VerdictOutcome.Fail,
        }));
        Assert.That(verdicts[1].PValue, Is.EqualTo(0.04));
        Assert.That(verdicts[1].AdjustedPValue, Is.EqualTo(0.06).Within(1e-12));
        Assert.That(verdicts[4].AdjustedPValue, Is.Null);
        Assert.That(verdicts[4].Reason, Is.EqualTo("no data"));
        Assert.That(VerdictFamily.Headline(verdicts), Is.EqualTo("2 PASS · 1 FAIL · 3 INCONCLUSIVE (Holm-corrected over 4 checks)"));
        Assert.That(VerdictFamily.Headline([new Verdict("x", "", "", true, "")]), Is.EqualTo("1 PASS · 0 FAIL · 0 INCONCLUSIVE"));
    }

    [Test]
    public void ExitCodesRankFailAboveInconclusiveAbovePass()
    {
        Verdict V(VerdictOutcome o) => new("x", "", "", o, "");
        Assert.That(CliApp.ExitCodeFor([V(VerdictOutcome.Pass), V(VerdictOutcome.Pass)]), Is.EqualTo(CliApp.ExitOk));
        Assert.That(CliApp.ExitCodeFor([V(VerdictOutcome.Pass), V(VerdictOutcome.Inconclusive)]), Is.EqualTo(CliApp.ExitInconclusive));
        Assert.That(CliApp.ExitCodeFor([V(VerdictOutcome.Inconclusive), V(VerdictOutcome.Fail)]), Is.EqualTo(CliApp.ExitContradiction));
        Assert.That(CliApp.ExitInconclusive, Is.EqualTo(3));
        Assert.That(new Verdict("x", "", "", true, "").Pass, Is.True);
        Assert.That(V(VerdictOutcome.Inconclusive).Pass, Is.False);
    }
}
