using StabilityLab.Fitting;

namespace StabilityLab.Tests.Fitting;

/// <summary>
/// The theory-free correction-to-scaling fit ln τ* = ln a + α·ln L + b·L^(−1/2) + c·L^(−1) (docs/finite-width.md §7):
/// exact data give back their parameters, the depths below its minimum are left out, and too few depths give no fit.
/// Its coverage on thresholds that follow the finite-width theory is in IntervalCoverageTests.
/// </summary>
public class ThresholdScalingFitTests
{
    private static readonly double[] Depths = [4, 8, 16, 32, 64, 128, 256, 512, 1024];

    [TestCase(1.52, -0.5, 0.9, 0.7)]
    [TestCase(0.8, -0.45, -0.3, 1.5)]
    public void ExactDataGiveBackTheirParameters(double a, double alpha, double b, double c)
    {
        // Below the minimum depth the points are far off the model: they must not enter.
        var tau = Depths.Select(L => L < ThresholdScalingFit.MinDepth ? 5.0 : a * Math.Pow(L, alpha) * Math.Exp(b / Math.Sqrt(L) + c / L)).ToArray();
        var fit = ThresholdScalingFit.Fit(Depths, tau, Depths.Select(_ => 0.002).ToArray())!;
        Assert.Multiple(() =>
        {
            Assert.That(fit.Points, Is.EqualTo(Depths.Count(L => L >= ThresholdScalingFit.MinDepth)));
            Assert.That(fit.A, Is.EqualTo(a).Within(1e-9 * a));
            Assert.That(fit.Alpha, Is.EqualTo(alpha).Within(1e-9));
            Assert.That(fit.B, Is.EqualTo(b).Within(1e-8));
            Assert.That(fit.C, Is.EqualTo(c).Within(1e-7));
            Assert.That(fit.ReducedChiSquare, Is.LessThan(1e-12));
            Assert.That(fit.AlphaLo, Is.LessThan(alpha));
            Assert.That(fit.AlphaHi, Is.GreaterThan(alpha));
        });
    }

    [Test]
    public void FewerThanFiveDepthsFromTheMinimumGiveNoFit() =>
        Assert.That(ThresholdScalingFit.Fit([8, 16, 64, 256, 1024], [0.7, 0.46, 0.2, 0.1, 0.05], [0.01, 0.01, 0.01, 0.01, 0.01]), Is.Null);
}
