using System.Text.Json.Nodes;
using StabilityLab.Claims;
using StabilityLab.Claims.Kinds;
using StabilityLab.Fitting;
using StabilityLab.Tests.Statistics;

namespace StabilityLab.Tests.Claims;

/// <summary>
/// Each kind's test on synthetic points with a known truth: a true claim PASSes when the data are precise, a false
/// one FAILs, and imprecise data give INCONCLUSIVE — never a PASS bought by having less data.
/// </summary>
public class ClaimKindTests
{
    private static readonly int[] Depths = [16, 64, 256, 1024, 4096];

    private static Claim Parse(string kind, Action<JsonObject>? edit = null)
    {
        var c = ClaimsFileTests.Claim(kind: kind);
        // res1 has no finite-size correction in the theory, so the tests see the bare statistic.
        c["network"] = new JsonObject { ["block"] = "res1", ["width"] = 32 };
        c["depths"] = new JsonArray(Depths.Select(d => (JsonNode)d).ToArray());
        edit?.Invoke(c);
        return ClaimsFile.Parse(ClaimsFileTests.File(c), "x.json").Claims.Single();
    }

    private static List<DepthPoint> Points(Func<int, double> truth, double se, ulong key, int replication = 0)
    {
        var z = Coverage.Normals(key, replication, Depths.Length);
        return Depths.Select((d, i) => new DepthPoint(d, 1 / Math.Sqrt(d), truth(d) + se * z[i], se)).ToList();
    }

    private static VerdictOutcome Outcome(Check c) => VerdictFamily.Resolve([c]).Single().Result;

    [TestCase(0.0, 0.01, VerdictOutcome.Pass)]
    [TestCase(0.05, 0.005, VerdictOutcome.Pass)]
    [TestCase(0.05, 0.3, VerdictOutcome.Inconclusive)]
    [TestCase(0.5, 0.01, VerdictOutcome.Fail)]
    [TestCase(-0.5, 0.01, VerdictOutcome.Fail)]
    public void Bounded_IsAnEquivalenceTestOnTheDrift(double drift, double se, VerdictOutcome expected)
    {
        var c = Parse("bounded");
        var check = BoundedClaim.Evaluate(c, Points(L => 1 + drift * Math.Log(L), se, 0xB1), "b");
        Assert.That(Outcome(check), Is.EqualTo(expected), check.Measurement);
    }

    [Test]
    public void Bounded_FailsWhenItsBelowBoundIsExceeded()
    {
        var c = Parse("bounded", j => j["below"] = "1.5");
        var check = BoundedClaim.Evaluate(c, Points(_ => 2.0, 0.01, 0xB2), "b");
        Assert.That(Outcome(check), Is.EqualTo(VerdictOutcome.Fail), check.Measurement);
        var ok = BoundedClaim.Evaluate(Parse("bounded", j => j["below"] = "2.5"), Points(_ => 2.0, 0.01, 0xB2), "b");
        Assert.That(Outcome(ok), Is.EqualTo(VerdictOutcome.Pass), ok.Measurement);
    }

    [TestCase(0.5, 0.01, VerdictOutcome.Pass)]
    [TestCase(0.0, 0.01, VerdictOutcome.Fail)]
    [TestCase(0.1, 0.5, VerdictOutcome.Inconclusive)]
    public void Unbounded_NeedsTheDriftSignificantlyAboveTheMargin(double drift, double se, VerdictOutcome expected)
    {
        var check = UnboundedClaim.Evaluate(Parse("unbounded"), Points(L => 1 + drift * Math.Log(L), se, 0xB3), "u");
        Assert.That(Outcome(check), Is.EqualTo(expected), check.Measurement);
    }

    [TestCase(0.4, 0.4, 0.002, VerdictOutcome.Pass)]
    [TestCase(0.4, 0.3, 0.002, VerdictOutcome.Fail)]
    [TestCase(0.4, 0.5, 0.002, VerdictOutcome.Fail)]
    [TestCase(0.4, 0.4, 0.5, VerdictOutcome.Inconclusive)]
    public void GrowthExponent_IsAnEquivalenceTestOnTheLogLogSlope(double truth, double claimed, double relSe, VerdictOutcome expected)
    {
        var c = Parse("growth-exponent", j => j["value"] = claimed);
        var z = Coverage.Normals(0xB4, 0, Depths.Length);
        var pts = Depths.Select((d, i) => { double v = 2 * Math.Pow(d, truth); return new DepthPoint(d, 0.1, v * (1 + relSe * z[i]), relSe * v); }).ToList();
        var check = GrowthExponentClaim.Evaluate(c, pts, "g");
        Assert.That(Outcome(check), Is.EqualTo(expected), check.Measurement);
        Assert.That(check.Prediction, Does.Contain("no finite-size correction"), "res1 has no theory correction, and says so");
    }

    [Test]
    public void GrowthExponent_WithoutEnoughPositivePointsIsInconclusive()
    {
        var c = Parse("growth-exponent", j => j["value"] = 0.2);
        var check = GrowthExponentClaim.Evaluate(c, Points(_ => -1, 0.01, 0xB5), "g");
        var v = VerdictFamily.Resolve([check]).Single();
        Assert.That(v.Result, Is.EqualTo(VerdictOutcome.Inconclusive));
        Assert.That(v.Reason, Does.Contain("usable depths"));
    }

    [TestCase(true, -3.0, VerdictOutcome.Pass)]
    [TestCase(true, 10.0, VerdictOutcome.Fail)]
    [TestCase(false, 3.0, VerdictOutcome.Pass)]
    [TestCase(false, -10.0, VerdictOutcome.Fail)]
    public void BelowAndAbove_FailOnlyOnASignificantViolation(bool below, double offsetInSe, VerdictOutcome expected)
    {
        var c = Parse(below ? "below" : "above", j => j["bound"] = "L*log(1+2*tau^2)");
        double Bound(int L) => L * Math.Log(1 + 2.0 / L);
        // One cell at offsetInSe SE from the bound (positive: above it), the others well inside.
        var pts = Depths.Select((d, i) => new DepthPoint(d, 1 / Math.Sqrt(d),
            Bound(d) + 0.01 * (i == 2 ? offsetInSe : below ? -5 : 5), 0.01)).ToList();
        var check = BoundClaim.Evaluate(c, pts, "b", below);
        Assert.That(Outcome(check), Is.EqualTo(expected), check.Measurement);
    }

    [Test]
    public void ExcludedPointsAreNamedAndNoUsablePointIsInconclusive()
    {
        var c = Parse("below", j => j["bound"] = "1");
        var pts = Depths.Select(d => new DepthPoint(d, 0.1, double.NaN, double.NaN, "log E not estimable from 50 trials")).ToList();
        var v = VerdictFamily.Resolve([BoundClaim.Evaluate(c, pts, "b", below: true)]).Single();
        Assert.That(v.Result, Is.EqualTo(VerdictOutcome.Inconclusive));
        Assert.That(v.Reason, Does.Contain("not estimable"));
    }

    [Test]
    public void ABoundThatIsNotFiniteNeverPasses()
    {
        // log(L − 100) is NaN below L = 100: those cells say nothing, and a bound NaN everywhere is INCONCLUSIVE.
        var c = Parse("below", j => j["bound"] = "log(L-100000)");
        var v = VerdictFamily.Resolve([BoundClaim.Evaluate(c, Points(_ => 1, 0.01, 0xB7), "b", below: true)]).Single();
        Assert.That(v.Result, Is.EqualTo(VerdictOutcome.Inconclusive), v.Measurement);
        Assert.That(v.Reason, Does.Contain("not finite"));
        var partly = Parse("below", j => j["bound"] = "log(L-100)");
        var w = VerdictFamily.Resolve([BoundClaim.Evaluate(partly, Points(_ => 1, 0.01, 0xB7), "b", below: true)]).Single();
        Assert.That(w.Measurement, Does.Contain("not finite"));
        Assert.That(w.Result, Is.EqualTo(VerdictOutcome.Pass), "the finite cells (L ≥ 256) lie well below");
    }

    [Test]
    public void AnExplodingStatisticIsDecidedEvenWhereItsLineFitsBadly()
    {
        // y = 0.01·L: convex in ln L, so the line's χ²_red (and its inflated SE) is huge; the end-to-end drift still
        // shows the growth. Before the end-to-end test this was INCONCLUSIVE both ways.
        var exploding = Depths.Select(d => new DepthPoint(d, 0.5, 0.01 * d, 0.02 * Math.Max(1, 0.01 * d))).ToList();
        var bounded = BoundedClaim.Evaluate(Parse("bounded"), exploding, "b");
        var unbounded = UnboundedClaim.Evaluate(Parse("unbounded"), exploding, "u");
        Assert.That(Outcome(bounded), Is.EqualTo(VerdictOutcome.Fail), bounded.Measurement);
        Assert.That(Outcome(unbounded), Is.EqualTo(VerdictOutcome.Pass), unbounded.Measurement);
        Assert.That(bounded.Measurement, Does.Contain("end to end"));
        TestContext.Out.WriteLine(bounded.Measurement + " / " + unbounded.Measurement);
    }

    [Test]
    public void MoreDataNeverMakesBoundedEasierToPass()
    {
        // A drift of 0.15, outside the margin 0.1: with less data the test must not PASS; with more it must FAIL.
        var c = Parse("bounded");
        foreach (double se in new[] { 1.0, 0.3, 0.1, 0.03, 0.01 })
        {
            var o = Outcome(BoundedClaim.Evaluate(c, Points(L => 0.15 * Math.Log(L), se, 0xB6), "b"));
            Assert.That(o, Is.Not.EqualTo(VerdictOutcome.Pass), $"se {se}");
            if (se <= 0.01) Assert.That(o, Is.EqualTo(VerdictOutcome.Fail), $"se {se}");
        }
    }
}
