using StabilityLab.Models;

namespace StabilityLab.Tests.Models;

/// <summary>A τ rule's meaning, not its text: power laws a·L^e, families L^(−1/2+c), and rules read back from files.</summary>
public class TauRuleMeaningTests
{
    [TestCase("1/sqrt(L)", 1.0, -0.5)]
    [TestCase("L^-0.5", 1.0, -0.5)]
    [TestCase("L^(-1/2+0)", 1.0, -0.5)]
    [TestCase("L^-beta [beta=0.5]", 1.0, -0.5)]
    [TestCase("2/sqrt(4*L)", 1.0, -0.5)]
    [TestCase("0.5*L^-0.5", 0.5, -0.5)]
    [TestCase("L^-0.25", 1.0, -0.25)]
    [TestCase("1", 1.0, 0.0)]
    [TestCase("1/L", 1.0, -1.0)]
    public void PowerLawsAreRecognisedWhateverTheirText(string text, double constant, double exponent)
    {
        var rule = TauRule.ParseBound(text);
        Assert.Multiple(() =>
        {
            Assert.That(rule.TryPowerLaw(out double a, out double e), Is.True);
            Assert.That(a, Is.EqualTo(constant).Within(1e-12));
            Assert.That(e, Is.EqualTo(exponent).Within(1e-12));
            Assert.That(rule.IsPowerLaw(constant, exponent), Is.True);
            Assert.That(rule.IsPowerLaw(constant, exponent + 0.01), Is.False);
        });
    }

    [TestCase("1/sqrt(l*log(l+1)^2)")]
    [TestCase("1/log(L+1)")]
    [TestCase("0.1+1/L")]
    [TestCase("L^-beta")]
    public void OtherRulesAreNotPowerLaws(string text)
    {
        Assert.That(TauRule.Parse(text).TryPowerLaw(out _, out _), Is.False);
    }

    [TestCase("L^(-1/2+c) [c=0.2]", 0.2)]
    [TestCase("L^(c-0.5) [c=0.1]", 0.1)]
    [TestCase("3*L^(-1/2+x) [x=0.3]", 0.3)]
    public void MembersOfTheConverseFamilyAreFoundByMeaning(string text, double c)
    {
        Assert.That(TauRule.ParseBound(text).TryExponentFamily(-0.5, out double found), Is.True);
        Assert.That(found, Is.EqualTo(c).Within(1e-12));
    }

    [TestCase("L^-beta [beta=0.3]")]
    [TestCase("1/sqrt(L)")]
    [TestCase("L^(-1/2+c)")]
    public void OtherRulesAreNotInTheConverseFamily(string text)
    {
        Assert.That(TauRule.ParseBound(text).TryExponentFamily(-0.5, out _), Is.False);
    }

    [Test]
    public void RulesReadBackAsTheyWereWritten()
    {
        var rule = TauRule.Parse("a*L^-b").Bind("b", 0.5).Bind("a", 2);
        var back = TauRule.ParseBound(rule.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(back, Is.EqualTo(rule));
            Assert.That(back.Family, Is.EqualTo(TauRule.Parse("a*L^-b")));
            Assert.That(back.IsFamilyMember, Is.True);
            Assert.That(back.Evaluate(16, 1), Is.EqualTo(rule.Evaluate(16, 1)));
        });
        var e = Assert.Throws<SpecException>(() => TauRule.ParseBound("L^-beta [beta]"))!;
        Assert.That(e.Message, Does.Contain("beta"));
    }
}
