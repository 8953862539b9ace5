using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// The infinite-width recursion against the exact sampler at m = 2048 (post block, τ = 1/√L):
/// E log‖h_L‖² = log Q_L − (5 + 8τ²L)/(2m) within 4 standard errors plus 1/m for the formula's
/// own O(τ³/m) error (measured: ≤ 0.4/m at these τ), and log E‖h_L‖² = log Q_L within 4 SE + 1/m.
/// </summary>
public class LargeWidthMonteCarloTests
{
    [TestCase(16, 3000)]
    [TestCase(64, 1500)]
    public void MeanLogNormMatchesCorrectedLogQ(int depth, int trials)
    {
        var (spec, s) = PostSamples.Get(2048, depth, "1/sqrt(L)", trials);
        var tau = spec.TauSchedule();
        double logQ = InfiniteWidthRecursion.PostRelu(tau).LogQFinal;
        double expected = FiniteWidthCorrection.ExpectedLog(logQ, tau, spec.Width);
        Assert.That(Math.Abs(s.Mean - expected), Is.LessThan(4 * s.MeanSe + 1.0 / spec.Width),
            $"E log‖h_L‖² = {s.Mean} ± {s.MeanSe} vs log Q_L − correction = {expected} (log Q_L = {logQ})");
    }

    [TestCase(16, 3000)]
    [TestCase(64, 1500)]
    public void LogMeanSquaredNormMatchesLogQ(int depth, int trials)
    {
        var (spec, s) = PostSamples.Get(2048, depth, "1/sqrt(L)", trials);
        double logQ = InfiniteWidthRecursion.PostRelu(spec.TauSchedule()).LogQFinal;
        var (logMean, se) = s.LogMeanOfSquares();
        Assert.That(Math.Abs(logMean - logQ), Is.LessThan(4 * se + 1.0 / spec.Width), $"log E‖h_L‖² = {logMean} ± {se} vs log Q_L = {logQ}");
    }
}
