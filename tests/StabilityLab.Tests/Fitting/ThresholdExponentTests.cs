using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Tests.Fitting;

/// <summary>
/// The exponent of τ*(L) with the finite-size part of the finite-width prediction divided out: thresholds that follow
/// the theory give −1/2 to within their noise, where the plain log–log slope through the same points is biased by the
/// curvature of τ*(L) at small L.
/// </summary>
public class ThresholdExponentTests
{
    private static readonly int[] Depths = [8, 16, 32, 64, 128];

    private static List<ThresholdEstimate> FollowingTheory(int width, double noise)
    {
        var z = Statistics.Coverage.Normals(0xE1, 0, Depths.Length);
        return Depths.Select((L, i) =>
        {
            double t = ThresholdPrediction.TauStar(L, width, 10) * Math.Exp(noise * z[i]);
            return new ThresholdEstimate(BlockKind.Post, width, L, t, t * 0.99, t * 1.01, noise, 0);
        }).ToList();
    }

    [Test]
    public void DividingOutTheFiniteSizePartGivesMinusOneHalf()
    {
        var ests = FollowingTheory(128, 0.002);
        var corrected = ThresholdExponent.Fit(ests, Activation.Relu, 10);
        var plain = ThresholdExponent.Fit(ests, Activation.Tanh, 10);
        Assert.That(corrected.FiniteSizeCorrected, Is.True);
        Assert.That(plain.FiniteSizeCorrected, Is.False);
        Assert.That(plain.Note, Does.Contain("plain"));
        TestContext.Out.WriteLine($"corrected {corrected.Line!.Slope:F4} [{corrected.Line.SlopeLo:F4}, {corrected.Line.SlopeHi:F4}]; plain {plain.Line!.Slope:F4} [{plain.Line.SlopeLo:F4}, {plain.Line.SlopeHi:F4}]");
        Assert.That(corrected.Line.SlopeIntervalContains(-0.5), $"corrected {corrected.Line}");
        Assert.That(plain.Line.SlopeIntervalContains(-0.5), Is.False, "the plain slope through the theory's own τ*(L) is not −1/2 at these depths");
        // The verdict `fit` gives: equivalence within ±0.02 of −1/2 holds for the corrected exponent.
        var (e, _) = SlopeTests.Around(corrected.Line, -0.5, 0.02);
        Assert.That(e.P, Is.LessThan(0.05));
    }

    [Test]
    public void TheFittedLawIsThePredictionWhereTheTheoryHoldsExactly()
    {
        // Thresholds exactly on τ*(L; m, K): the divided-out line is flat at 0, so the fitted law is the prediction itself,
        // at the fitted depths and at the midpoints a figure draws between them.
        var ests = FollowingTheory(128, 0);
        var f = ThresholdExponent.Fit(ests.Select(e => e with { LogTauSe = 0.002 }).ToList(), Activation.Relu, 10, midpoints: true);
        Assert.That(f.Predicted.Keys.Order(), Is.EqualTo(new[] { 8, 11, 16, 23, 32, 45, 64, 91, 128 }));
        Assert.That(f.Width, Is.EqualTo(128));
        Assert.Multiple(() =>
        {
            Assert.That(f.Line!.Slope, Is.EqualTo(-0.5).Within(1e-9));
            foreach (var (L, tau) in f.Predicted)
                Assert.That(f.Evaluate(L), Is.EqualTo(tau).Within(1e-9 * tau), $"L = {L}");
            Assert.That(f.Predicted[23], Is.EqualTo(ThresholdPrediction.TauStar(23, 128, 10)), "a midpoint predicted at its own depth");
        });
        var plain = ThresholdExponent.Fit(ests, Activation.Tanh, 10, midpoints: true);
        Assert.That(plain.Predicted, Is.Empty, "no prediction where none was divided out");
    }

    [Test]
    public void FewerThanThreeDepthsGiveNoExponent()
    {
        var f = ThresholdExponent.Fit(FollowingTheory(128, 0.01).Take(2).ToList(), Activation.Relu, 10);
        Assert.That(f.Line, Is.Null);
        Assert.That(f.Note, Does.Contain("needs 3"));
    }
}
