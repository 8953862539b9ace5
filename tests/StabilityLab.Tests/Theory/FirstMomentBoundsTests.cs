using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

public class FirstMomentBoundsTests
{
    [Test]
    public void ConstantTau_IsLTimesLog1pOfTauSquaredAndTwiceTauSquared()
    {
        var b = FirstMomentBounds.PostRelu(TauRule.Constant(0.3).Schedule(40));
        Assert.That(b.LogLower, Is.EqualTo(40 * Math.Log(1.09)).Within(1e-12));
        Assert.That(b.LogUpper, Is.EqualTo(40 * Math.Log(1.18)).Within(1e-12));
    }

    [Test]
    public void PerLayerRule_SumsLayerByLayer()
    {
        var tau = TauRule.Parse("1/sqrt(l*log(l+1)^2)").Schedule(12);
        var byLayer = FirstMomentBounds.PostReluByLayer(tau);
        Assert.That(byLayer, Has.Length.EqualTo(13));
        Assert.That(byLayer[0], Is.EqualTo(new LogRatioBounds(0, 0)));
        for (int l = 1; l <= 12; l++)
        {
            double lo = Enumerable.Range(0, l).Sum(k => Math.Log(1 + tau[k] * tau[k]));
            double hi = Enumerable.Range(0, l).Sum(k => Math.Log(1 + 2 * tau[k] * tau[k]));
            Assert.That(byLayer[l].LogLower, Is.EqualTo(lo).Within(1e-12));
            Assert.That(byLayer[l].LogUpper, Is.EqualTo(hi).Within(1e-12));
        }
    }

    [Test]
    public void TinyTau_KeepsFullRelativePrecision()
    {
        // log1p, not log(1 + x): τ = 1e-9 would give 0 with a plain log.
        var b = FirstMomentBounds.PostRelu([1e-9]);
        Assert.That(b.LogLower, Is.EqualTo(1e-18).Within(1e-30));
        Assert.That(b.LogUpper, Is.EqualTo(2e-18).Within(1e-30));
    }

    [Test]
    public void TauOneAtDepth4096_StaysFinite()
    {
        var b = FirstMomentBounds.PostRelu(new NetworkSpec(16, 4096, TauRule.Constant(1)));
        Assert.That(b.LogLower, Is.EqualTo(4096 * Math.Log(2)).Within(1e-9));
        Assert.That(b.LogUpper, Is.EqualTo(4096 * Math.Log(3)).Within(1e-9));
    }

    [Test]
    public void OtherBlocksAndBadSchedulesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => FirstMomentBounds.PostRelu(new NetworkSpec(8, 4, TauRule.Constant(0.1), BlockKind.Res1)));
        Assert.Throws<ArgumentException>(() => FirstMomentBounds.PostRelu([0.1, double.NaN]));
        Assert.Throws<ArgumentException>(() => FirstMomentBounds.PostRelu([]));
    }
}
