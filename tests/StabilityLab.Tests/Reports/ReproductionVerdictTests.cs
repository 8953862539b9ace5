using MathNet.Numerics.Distributions;
using StabilityLab.Fitting;
using StabilityLab.Reports;
using StabilityLab.Spectral;

namespace StabilityLab.Tests.Reports;

/// <summary>The reproduction's spectrum checks (equivalence and growth tests on the slope of mean log‖P‖₂²) and its one Holm family.</summary>
public class ReproductionVerdictTests
{
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

    private static Verdict One(IReadOnlyList<OperatorNormPoint> pts) => VerdictFamily.Resolve(ReproductionVerdicts.Spectrum(pts).ToList()).Single();

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
    public void TheGrowthCheckAtLMinusQuarterPassesOnGrowthAndFailsOnAFlatSeries()
    {
        var growing = One(Series("L^-0.25", 6, 2, 0.1, seed: 7));
        Assert.That(growing.Result, Is.EqualTo(VerdictOutcome.Pass), growing.Measurement);
        Assert.That(growing.PValue, Is.Not.Null);
        var flat = One(Series("L^-0.25", 6, 0, 0.1, seed: 8));
        Assert.That(flat.Result, Is.EqualTo(VerdictOutcome.Fail), flat.Measurement);
    }

    [Test]
    public void TheReportFamilyCountsEveryTestedCheckOnce()
    {
        var checks = ReproductionVerdicts.Spectrum([.. Series("1/sqrt(L)", 5, 0, 0.1, 9), .. Series("L^-0.25", 5, 2, 0.1, 10), .. Series("1/sqrt(L)", 2, 0, 0.1, 11)
                .Select(p => p with { Quantity = ProductQuantity.MaxPair })]).ToList();
        checks.Add(new Check("counted", "p", "m", "t", null, _ => (VerdictOutcome.Pass, null)));
        var verdicts = VerdictFamily.Resolve(checks);
        int tested = checks.Count(c => c.PValue is not null);
        Assert.That(tested, Is.EqualTo(2), "the 2-depth series and the counted check have no p-value");
        Assert.That(VerdictFamily.Headline(verdicts), Does.Contain($"Holm-corrected over {tested} checks"));
        Assert.That(verdicts.Where(v => v.PValue is not null).Select(v => v.AdjustedPValue!.Value),
            Is.EqualTo(Holm.Adjust(checks.Where(c => c.PValue is not null).Select(c => c.PValue!.Value).ToArray())));
    }
}
