using StabilityLab.Torch.Training;

namespace StabilityLab.Tests.Training;

/// <summary>The per-image test results of a run and their text form in test-correct.csv.</summary>
public class CorrectImagesTests
{
    [TestCase(1)]
    [TestCase(4)]
    [TestCase(7)]
    [TestCase(64)]
    [TestCase(10000)]
    public void HexTextReadsBackToTheSameImages(int n)
    {
        var rng = new Random(n);
        var bools = Enumerable.Range(0, n).Select(_ => rng.Next(3) > 0).ToArray();
        var c = CorrectImages.From(bools);
        string hex = c.ToHex();
        Assert.That(hex, Has.Length.EqualTo((n + 3) / 4));
        var back = CorrectImages.Parse(hex, n);
        Assert.That(back, Is.EqualTo(c));
        Assert.That(Enumerable.Range(0, n).Select(i => back[i]), Is.EqualTo(bools));
        Assert.That(back.Correct, Is.EqualTo(bools.Count(b => b)));
    }

    [Test]
    public void TheFirstImageOfEachDigitIsItsHighestBit()
    {
        // Images 0 and 5 right of 6: digits 1000 0100 → "84".
        Assert.That(CorrectImages.From([true, false, false, false, false, true]).ToHex(), Is.EqualTo("84"));
    }

    [TestCase("8", 6, "digits")]
    [TestCase("8g", 6, "hexadecimal")]
    [TestCase("81", 6, "beyond")]
    public void BadTextIsAFormatError(string hex, int n, string expected)
    {
        var e = Assert.Throws<FormatException>(() => CorrectImages.Parse(hex, n));
        Assert.That(e!.Message, Does.Contain(expected));
    }
}
