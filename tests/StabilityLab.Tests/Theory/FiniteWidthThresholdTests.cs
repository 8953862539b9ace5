using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// τ*(L; m, K) under the median criterion (docs/finite-width.md §7) against the measured threshold of the quick
/// report (reports/quick/figures/threshold.csv: m = 256, K = 10, 500 trials, with its interval), and τ*·√L against
/// its large-L limit √(log K/(1 − 2/m)).
/// </summary>
public class FiniteWidthThresholdTests
{
    // (L, measured τ*, interval lo, hi) from reports/quick/figures/threshold.csv (`stabilitylab reproduce --scale quick --seed 1`).
    [TestCase(16, 0.46169958666509814, 0.4588919816649069, 0.46390695118853387)]
    [TestCase(64, 0.20643188057791337, 0.2058199562301909, 0.20721874009328112)]
    [TestCase(256, 0.0988369607645396, 0.09850771688453666, 0.09912519655866257)]
    public void TauStarFallsInTheMeasuredInterval(int depth, double measured, double lo, double hi)
    {
        double t = ThresholdPrediction.TauStar(depth, 256, 10);
        // The interval is that of the interpolated crossing; allow a further 0.5% for its interpolation between τ values.
        Assert.That(t, Is.InRange(lo * 0.995, hi * 1.005), $"τ* = {t} vs measured {measured} [{lo}, {hi}]");
    }

    [Test]
    public void TauStarTimesSqrtLApproachesTheLimitLikeOneOverSqrtL()
    {
        double limit = ThresholdPrediction.LargeDepthLimit(512, 10);
        double a = ThresholdPrediction.TauStar(64, 512, 10) * 8, b = ThresholdPrediction.TauStar(256, 512, 10) * 16;
        Assert.That(a, Is.GreaterThan(b));
        Assert.That(b, Is.GreaterThan(limit));
        // The approach is O(1/√L): quadrupling L halves the gap (within 25%).
        Assert.That((b - limit) / (a - limit), Is.InRange(0.5 * 0.75, 0.5 * 1.25));
    }

    [Test]
    public void LimitMatchesTheMeasuredLargeDepthValue()
    {
        // Measured τ*·√L at m = 512, K = 10: 1.548 (L = 1024) and 1.534 (L = 4096); a c/√L extrapolation of the two
        // gives 1.520; the limit must lie within 0.005 of it.
        double extrapolated = 1.534 - (1.548 - 1.534);
        Assert.That(ThresholdPrediction.LargeDepthLimit(512, 10), Is.EqualTo(extrapolated).Within(0.005));
    }
}
