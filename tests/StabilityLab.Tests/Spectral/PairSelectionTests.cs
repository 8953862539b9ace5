using StabilityLab.Models;
using StabilityLab.Spectral;

namespace StabilityLab.Tests.Spectral;

/// <summary>Which block pairs are evaluated: all for small L, a stated, reproducible sample beyond, (1, L) always.</summary>
[TestFixture]
public sealed class PairSelectionTests
{
    [Test]
    public void AutoTakesEveryPairUpTo64AndASampleOf64PlusTheWholeProductBeyond()
    {
        var small = PairSelection.Auto.Select(64, 1);
        var large = PairSelection.Auto.Select(65, 1);
        Assert.Multiple(() =>
        {
            Assert.That(small, Has.Length.EqualTo(64 * 65 / 2));
            Assert.That(small.Distinct().Count(), Is.EqualTo(small.Length));
            Assert.That(small.All(p => 1 <= p.Start && p.Start <= p.End && p.End <= 64), Is.True);
            Assert.That(large, Has.Length.EqualTo(65));
            Assert.That(large, Does.Contain(BlockPair.Whole(65)));
            Assert.That(large.Distinct().Count(), Is.EqualTo(65));
            Assert.That(large.All(p => 1 <= p.Start && p.Start <= p.End && p.End <= 65), Is.True);
        });
    }

    [Test]
    public void ASampleIsAPureFunctionOfSeedDepthAndSize()
    {
        var a = PairSelection.Sample(20).Select(200, 5);
        var b = PairSelection.Sample(20).Select(200, 5);
        var c = PairSelection.Sample(20).Select(200, 6);
        Assert.Multiple(() =>
        {
            Assert.That(a, Is.EqualTo(b));
            Assert.That(a, Is.Not.EqualTo(c));
            Assert.That(a, Has.Length.EqualTo(21));
            Assert.That(PairSelection.Sample(0).Select(200, 5), Is.EqualTo(new[] { BlockPair.Whole(200) }));
            Assert.That(PairSelection.Sample(1000).Select(10, 5), Has.Length.EqualTo(55), "N beyond the pair count means all pairs");
        });
    }

    [TestCase("none")]
    [TestCase("-3")]
    [TestCase("1.5")]
    [TestCase("")]
    public void BadTextIsASpecException(string text) =>
        Assert.That(() => PairSelection.Parse(text), Throws.TypeOf<SpecException>().With.Message.Contains("--pairs"));
}
