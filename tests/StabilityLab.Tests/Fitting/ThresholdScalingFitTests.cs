using MathNet.Numerics.Distributions;
using StabilityLab.Fitting;

namespace StabilityLab.Tests.Fitting;

/// <summary>
/// The correction-to-scaling fit of τ*(L) on synthetic thresholds τ* = a·L^α·(1 + b·L^(−1/2))·e^ε, ε ~ N(0, se²) at
/// fixed seeds: its 95% interval covers the true α, while the straight line through log τ* vs log L (the law `fit`
/// has always fitted) is biased by the correction and excludes it.
/// </summary>
public class ThresholdScalingFitTests
{
    private static readonly double[] Depths = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

    private static double[] Synthetic(double a, double alpha, double b, double omega, double se, int seed)
    {
        var noise = new Normal(0, se, new Random(seed));
        return Depths.Select(L => a * Math.Pow(L, alpha) * (1 + b * Math.Pow(L, -omega)) * Math.Exp(noise.Sample())).ToArray();
    }

    [TestCase(1.52, -0.5, 1.0, 1)]
    [TestCase(1.52, -0.5, 0.6, 2)]
    [TestCase(0.8, -0.45, 1.5, 3)]
    public void IntervalCoversTheTrueExponentWhereTheStraightLineDoesNot(double a, double alpha, double b, int seed)
    {
        const double se = 0.003;
        var tau = Synthetic(a, alpha, b, 0.5, se, seed);
        var errors = Depths.Select(_ => se).ToArray();
        var fit = ThresholdScalingFit.Fit(Depths, tau, errors)!;
        Assert.That(fit.AlphaLo, Is.LessThanOrEqualTo(alpha), $"{fit}");
        Assert.That(fit.AlphaHi, Is.GreaterThanOrEqualTo(alpha), $"{fit}");
        Assert.That(fit.B, Is.EqualTo(b).Within(4 * fit.BSe), $"{fit}");
        Assert.That(fit.ReducedChiSquare, Is.LessThan(3), $"{fit}");
        var line = WeightedLineFit.Fit(Depths.Select(v => Math.Log(v)).ToArray(), tau.Select(v => Math.Log(v)).ToArray(), errors);
        Assert.That(line.SlopeIntervalContains(alpha), Is.False, $"straight line {line}");
    }

    [Test]
    public void FewerThanFourDepthsGiveNoFit() =>
        Assert.That(ThresholdScalingFit.Fit([16, 64, 256], [0.46, 0.2, 0.1], [0.01, 0.01, 0.01]), Is.Null);
}
