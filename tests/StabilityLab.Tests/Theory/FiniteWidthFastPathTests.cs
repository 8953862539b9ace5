using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// The fast paths of the finite-width theory (docs/finite-width.md §8) give the numbers of the plain loops they replace:
/// the register-blocked correlation against the per-tap sweep (same terms, same order, so the same bits), the cached
/// width-free part against a fresh evolution, and τ* against the root of the median it solves for.
/// </summary>
public class FiniteWidthFastPathTests
{
    [TestCase(1, 0, 3, 1, false)]
    [TestCase(37, 5, 40, -1, false)]
    [TestCase(200, -7, 57, 1, true)]
    [TestCase(333, 12, 101, -1, false)]
    [TestCase(64, 300, 20, 1, true)] // the band reaches past src's end: zero padding
    public void BlockedCorrelationGivesThePerTapBits(int n, int shift, int srcLength, int dir, bool odd)
    {
        var rng = new Random(7);
        var src = Enumerable.Range(0, srcLength).Select(_ => rng.NextDouble()).ToArray();
        var c = BandCorrelation.GaussianTaps(0.01, 0.037, 28);
        var w = BandCorrelation.Kernel(c, odd, 0.01, 0.037);
        var start = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var fast = (double[])start.Clone();
        var slow = (double[])start.Clone();
        BandCorrelation.Add(src, shift, dir, w, fast);
        BandCorrelation.AddPerTap(src, shift, dir, w, slow);
        Assert.That(fast, Is.EqualTo(slow));
    }

    // Cells of the acceptance grid (m = 256): the 1/√L rule (smallest grid spacing), a large τ (wide kernel, capped
    // spacing) and a schedule with a resampling every few layers. The predictions are sums of the same terms in the
    // same order, so they agree exactly; 1e-12 relative would still be 10⁻¹⁰ of a 500-trial standard error.
    [TestCase(256, 64, "1/sqrt(L)")]
    [TestCase(256, 256, "L^-0.2")]
    [TestCase(512, 16, "0.5")]
    public void PredictionEqualsTheReferenceLoops(int width, int depth, string tau)
    {
        var spec = new NetworkSpec(width, depth, TauRule.Parse(tau));
        var fast = FiniteWidthTheory.Predict(spec);
        var reference = FiniteWidthTheory.PredictWith(spec, cached: false, referenceKernel: true);
        double[] a = [fast.FwdLogSqMean, fast.FwdLogSqSd, fast.BwdLogSqMean, fast.BwdLogSqSd, fast.Covariance];
        double[] b = [reference.FwdLogSqMean, reference.FwdLogSqSd, reference.BwdLogSqMean, reference.BwdLogSqSd, reference.Covariance];
        for (int i = 0; i < a.Length; i++) Assert.That(a[i], Is.EqualTo(b[i]).Within(1e-12 * Math.Abs(b[i]) + 1e-15), $"statistic {i}");
        Assert.That(fast.BwdLogSqInfiniteByLayer, Is.EqualTo(reference.BwdLogSqInfiniteByLayer).Within(1e-12));
    }

    [Test]
    public void CachedPredictionAtAnotherWidthEqualsAFreshOne()
    {
        var first = new NetworkSpec(256, 128, TauRule.Parse("1/sqrt(L)"));
        var other = new NetworkSpec(1024, 128, TauRule.Parse("1/sqrt(L)"));
        FiniteWidthTheory.Predict(first); // fills the cache with the width-free part
        var cached = FiniteWidthTheory.Predict(other);
        var fresh = FiniteWidthTheory.PredictWith(other, cached: false);
        Assert.That(cached.FwdLogSqMean, Is.EqualTo(fresh.FwdLogSqMean));
        Assert.That(cached.FwdLogSqSd, Is.EqualTo(fresh.FwdLogSqSd));
        Assert.That(cached.BwdLogSqMean, Is.EqualTo(fresh.BwdLogSqMean));
        Assert.That(cached.BwdLogSqSd, Is.EqualTo(fresh.BwdLogSqSd));
        Assert.That(cached.Covariance, Is.EqualTo(fresh.Covariance));
    }

    // τ* solves median(τ) = 2 log K (docs/finite-width.md §7): the median, evaluated with the per-tap reference loops,
    // changes sign across [τ*(1 − 1e-9), τ*(1 + 1e-9)] (the old Brent search stopped at 1e-7·τ*).
    [TestCase(16, 256)]
    [TestCase(256, 512)]
    [TestCase(1024, 256)]
    public void TauStarIsTheRootOfTheMedian(int depth, int width)
    {
        double t = ThresholdPrediction.TauStar(depth, width, 10);
        double Median(double tau)
        {
            var layers = FiniteWidthLayers.Evolve(Enumerable.Repeat(tau, depth).ToArray(), FiniteWidthLayers.TheoryGrid with { ReferenceKernel = true }, keepLaws: false);
            return layers.LogR.Sum() - layers.Noise.Sum() / (2 * width) - 2 * Math.Log(10);
        }
        Assert.That(Median(t * (1 - 1e-9)), Is.LessThan(0));
        Assert.That(Median(t * (1 + 1e-9)), Is.GreaterThan(0));
    }
}
