using MathNet.Numerics.Distributions;
using StabilityLab.Claims;
using StabilityLab.Fitting;
using StabilityLab.Spectral;
using StabilityLab.Torch.Claims;

namespace StabilityLab.Tests.Claims;

/// <summary>
/// The kind operator-norm-bounded (an equivalence test on the slope of mean log‖P‖₂² at τ = 1/√L, margin 0.5) and its
/// control (the same test at τ = L^−1/4, which must FAIL), and the two Holm families of claims and controls.
/// </summary>
public class SpectralClaimTests
{
    private static Claim Parsed(string quantity) => ClaimsFile.Parse($$"""
        { "schema": 1, "claims": [ { "id": "bp-{{quantity}}", "statement": "s", "kind": "operator-norm-bounded", "network": { "width": 64 },
          "tau": "1/sqrt(L)", "depths": "4..64x2", "trials": 8, "quantity": "{{quantity}}", "margin": 0.5, "controls": [ { "tau": "L^-0.25" } ] } ] }
        """, "t").Claims.Single();

    private static List<ClaimChecks> Checks(IReadOnlyList<OperatorNormPoint> pts, params string[] quantities) =>
        quantities.Select(Parsed).Select(c => new ClaimChecks(ClaimInfo.Of(c), SpectralClaims.Evaluate(c, pts),
            c.Controls.Select(k => (ControlInfo.Of(k), SpectralClaims.Evaluate(k.Claim, pts))).ToList(), [])).ToList();

    /// <summary>mean log‖P‖₂² = 2.8 + slope·log L + noise at L = 4·2^k, k &lt; n, each with a 95% interval of ±1.96·se.</summary>
    private static List<OperatorNormPoint> Series(string rule, int n, double slope, double se, int seed)
    {
        var noise = new Normal(0, se, new Random(seed));
        return Enumerable.Range(0, n).Select(k =>
        {
            int L = 4 << k;
            double m = 2.8 + slope * Math.Log(L) + noise.Sample();
            return new OperatorNormPoint(rule, L, 64, ProductQuantity.Whole, 8, m, m - 1.96 * se, m + 1.96 * se, m, m - 1, m + 1);
        }).ToList();
    }

    private static CheckResult Resolve(IReadOnlyList<OperatorNormPoint> pts) => CheckResult.Resolve("t", Checks(pts, "product"));

    private static Verdict One(IReadOnlyList<OperatorNormPoint> pts) => Resolve(pts).Claims.Single().Verdict;

    [Test]
    public void BoundedBlockProductsPassOnAFlatSeriesAndAreInconclusiveOnAFewNoisyPoints()
    {
        var flat = One(Series("1/sqrt(L)", 10, 0, 0.1, seed: 3));
        Assert.That(flat.Result, Is.EqualTo(VerdictOutcome.Pass), flat.Measurement);
        Assert.That(flat.Test, Does.Contain("equivalence").And.Contain("δ = 0.5"));
        Assert.That(flat.PValue, Is.Not.Null);

        var three = One(Series("1/sqrt(L)", 3, 0, 1.0, seed: 4));
        Assert.That(three.Result, Is.EqualTo(VerdictOutcome.Inconclusive), three.Measurement);
        Assert.That(three.Reason, Does.Contain("underpowered"));

        var two = One(Series("1/sqrt(L)", 2, 0, 1.0, seed: 5));
        Assert.That(two.Result, Is.EqualTo(VerdictOutcome.Inconclusive), "too few depths is reported, never dropped");
        Assert.That(two.Reason, Does.Contain("the slope needs 3"));
    }

    [Test]
    public void BoundedBlockProductsFailOnAGrowingSeries()
    {
        var growing = One(Series("1/sqrt(L)", 6, 2, 0.1, seed: 6));
        Assert.That(growing.Result, Is.EqualTo(VerdictOutcome.Fail), growing.Measurement);
    }

    [Test]
    public void TheControlAtLMinusQuarterFailsOnGrowthAndPassesOnAFlatSeries()
    {
        // Growth at L^−1/4: the claim's equivalence test must FAIL there (the control does its job) ...
        var growing = Resolve([.. Series("1/sqrt(L)", 6, 0, 0.1, seed: 12), .. Series("L^-0.25", 6, 2, 0.1, seed: 7)]);
        var control = growing.Claims.Single().Controls.Single();
        Assert.That(control.Verdict.Result, Is.EqualTo(VerdictOutcome.Fail), control.Verdict.Measurement);
        Assert.That(control.FailedAsItMust);
        Assert.That(growing.ExitCode, Is.EqualTo(0), growing.Headline);
        // ... and a flat series at L^−1/4 would PASS it: a test without power there, which makes the run exit 1.
        var flat = Resolve([.. Series("1/sqrt(L)", 6, 0, 0.1, seed: 12), .. Series("L^-0.25", 6, 0, 0.1, seed: 8)]);
        Assert.That(flat.Claims.Single().Controls.Single().Verdict.Result, Is.EqualTo(VerdictOutcome.Pass));
        Assert.That(flat.ExitCode, Is.EqualTo(1));
        Assert.That(flat.Headline, Does.Contain("1 control PASS (a test without power)"));
    }

    [Test]
    public void ClaimsAndControlsAreTwoHolmFamilies()
    {
        var pts = new List<OperatorNormPoint>([.. Series("1/sqrt(L)", 5, 0, 0.1, 9), .. Series("L^-0.25", 5, 2, 0.1, 10),
            .. Series("1/sqrt(L)", 5, 0, 0.1, 11).Select(p => p with { Quantity = ProductQuantity.MaxPair }),
            .. Series("L^-0.25", 5, 2, 0.1, 13).Select(p => p with { Quantity = ProductQuantity.MaxPair })]);
        var checks = Checks(pts, "product", "product-max");
        var result = CheckResult.Resolve("t", checks);
        Assert.That(result.Claims, Has.Count.EqualTo(2));
        Assert.That(result.Claims.Select(c => c.Verdict.AdjustedPValue!.Value),
            Is.EqualTo(Holm.Adjust(checks.Select(c => c.Check.PValue!.Value).ToArray())), "claims: one family");
        Assert.That(result.Claims.Select(c => c.Controls.Single().Verdict.AdjustedPValue!.Value),
            Is.EqualTo(Holm.Adjust(checks.Select(c => c.Controls.Single().Check.PValue!.Value).ToArray())), "controls: another");
    }
}
