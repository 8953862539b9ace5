using StabilityLab.Statistics;

namespace StabilityLab.Tests.Statistics;

/// <summary>MeanRatio's contract apart from coverage (MeanRatioCoverageTests): inputs, flags, invariances.</summary>
public class MeanRatioTests
{
    [Test]
    public void FewerThanTwoFiniteValues_AreNotEstimable()
    {
        foreach (var x in new[] { Array.Empty<double>(), [1.5], [double.NaN, 2.0, double.NegativeInfinity] })
        {
            var e = MeanRatio.Estimate(x);
            Assert.That(e.Method, Is.EqualTo(MeanRatio.NotEstimable));
            Assert.That(e.Ok, Is.False);
            Assert.That(new[] { e.Estimate, e.Lo, e.Hi, e.Khat, e.NormalityP }, Has.All.Null);
            Assert.That(e.N, Is.EqualTo(x.Count(double.IsFinite)));
        }
    }

    [Test]
    public void AnOverflowedRatio_MakesTheMeanNotEstimable()
    {
        var x = Coverage.Gaussian(0, 0.1, 0, 500);
        x[7] = double.PositiveInfinity;
        var e = MeanRatio.Estimate(x);
        Assert.That(e.Method, Is.EqualTo(MeanRatio.NotEstimable));
        Assert.That(e.LogMeanExp, Is.Null);
    }

    [Test]
    public void NaNAndMinusInfinity_AreDropped()
    {
        var x = Coverage.Gaussian(0, 1, 0, 500);
        var withJunk = x.Concat([double.NaN, double.NegativeInfinity]).ToArray();
        Assert.That(MeanRatio.Estimate(withJunk), Is.EqualTo(MeanRatio.Estimate(x)));
    }

    [TestCase(0.5)]
    [TestCase(7.0)]
    public void Estimate_ShiftsWithTheLogRatios_WithoutOverflow(double sigma)
    {
        // log E[e^{x + c}] = c + log E[e^x]; c = 1e4 is far beyond exp's range.
        const double c = 1e4;
        var x = Coverage.Gaussian(0, sigma, 3, 500);
        var e = MeanRatio.Estimate(x);
        var s = MeanRatio.Estimate(x.Select(v => v + c).ToArray());
        Assert.That(s.Method, Is.EqualTo(e.Method));
        Assert.That(s.Khat, Is.EqualTo(e.Khat).Within(1e-9));
        foreach (var (a, b) in new[] { (s.LogMeanExp, e.LogMeanExp), (s.Estimate, e.Estimate), (s.Lo, e.Lo), (s.Hi, e.Hi) })
            Assert.That(a!.Value - c, Is.EqualTo(b!.Value).Within(1e-9));
    }

    [Test]
    public void Interval_ContainsItsEstimate_AndWidensWithTheLevel()
    {
        foreach (var x in new[] { Coverage.Gaussian(1, 2, 5, 500), Mixtures.Cases(500).First().Sample(5) })
        {
            var e90 = MeanRatio.Estimate(x, 0.90);
            var e99 = MeanRatio.Estimate(x, 0.99);
            Assert.That(e90.Ok && e99.Ok, e90.Method);
            Assert.That(e90.Lo!.Value, Is.LessThan(e90.Estimate!.Value));
            Assert.That(e90.Hi!.Value, Is.GreaterThan(e90.Estimate.Value));
            Assert.That(e99.Lo!.Value, Is.LessThan(e90.Lo.Value));
            Assert.That(e99.Hi!.Value, Is.GreaterThan(e90.Hi.Value));
        }
    }

    [Test]
    public void MethodFollowsTheDiagnostics()
    {
        // Gaussian → log-normal; skewed light tail → sample mean; heavy tail → not estimable.
        Assert.That(MeanRatio.Estimate(Coverage.Gaussian(0, 4, 1, 500)) is { Method: MeanRatio.LogNormal, NormalityP: >= MeanRatio.NormalityAlpha });
        var mixture = MeanRatio.Estimate(Mixtures.Cases(500).First().Sample(1));
        Assert.That(mixture.NormalityP!.Value, Is.LessThan(MeanRatio.NormalityAlpha));
        Assert.That(mixture.Khat!.Value, Is.LessThan(mixture.KhatThreshold));
        Assert.That(mixture.Method, Is.EqualTo(MeanRatio.SampleMean));
        Assert.That(mixture.Estimate, Is.EqualTo(mixture.LogMeanExp));
        var heavy = MeanRatio.Estimate(KhatCases.StudentT3(1, 4000));
        Assert.That(heavy.Khat!.Value, Is.GreaterThan(heavy.KhatThreshold));
        Assert.That(heavy.Method, Is.EqualTo(MeanRatio.NotEstimable));
    }

    [Test]
    public void BadLevel_Throws() =>
        Assert.Throws<ArgumentException>(() => MeanRatio.Estimate(new double[] { 1, 2 }, 1.0));
}
