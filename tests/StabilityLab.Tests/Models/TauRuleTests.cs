using NUnit.Framework;
using StabilityLab.Models;

namespace StabilityLab.Tests.Models;

/// <summary>τ rules: parsing, precedence, evaluation, per-layer schedules, and one-line errors for bad rules.</summary>
[TestFixture]
public sealed class TauRuleTests
{
    // Formulas are compared with the same formula evaluated directly in C#; the parser may associate or
    // round differently only in the last bits, so the tolerance is a few ulps.
    private const int Ulps = 4;

    private static IEnumerable<TestCaseData> Values()
    {
        yield return new TestCaseData("0.1", 7, 0.1).SetName("constant 0.1");
        yield return new TestCaseData("1/L", 100, 0.01).SetName("1/L at 100");
        yield return new TestCaseData("1/sqrt(L)", 64, 0.125).SetName("1/sqrt(L) at 64");
        yield return new TestCaseData("0.5*L^-0.5", 4, 0.25).SetName("0.5*L^-0.5 at 4");
        yield return new TestCaseData("L^-0.25", 16, 0.5).SetName("L^-0.25 at 16");
        yield return new TestCaseData("L^(-1/2+0.2)", 1024, Math.Pow(1024, -0.3)).SetName("L^(-1/2+0.2) at 1024");
        yield return new TestCaseData("2^3^2", 1, 512.0).SetName("^ is right associative");
        yield return new TestCaseData("2**3**2", 1, 512.0).SetName("** is right associative");
        yield return new TestCaseData("L**-0.5", 4, 0.5).SetName("** alias with signed exponent");
        yield return new TestCaseData("2*3^2", 1, 18.0).SetName("^ binds tighter than *");
        yield return new TestCaseData("1+2*3", 1, 7.0).SetName("* binds tighter than +");
        yield return new TestCaseData("8-2-1", 1, 5.0).SetName("- is left associative");
        yield return new TestCaseData("L/2/2", 8, 2.0).SetName("/ is left associative");
        yield return new TestCaseData("1/2*L", 4, 2.0).SetName("* and / share a level, left to right");
        yield return new TestCaseData("10 + -L^2", 3, 1.0).SetName("unary minus applies to the power: -L^2 = -(L^2)");
        yield return new TestCaseData("(-L)^2", 3, 9.0).SetName("parenthesized negative base");
        yield return new TestCaseData("2^-2^2", 1, 0.0625).SetName("signed exponent is itself a power: 2^-(2^2)");
        yield return new TestCaseData("+L/4", 2, 0.5).SetName("unary plus");
        yield return new TestCaseData("1e-3*L", 5, 5e-3).SetName("scientific notation");
        yield return new TestCaseData("exp(-L)", 2, Math.Exp(-2)).SetName("exp");
        yield return new TestCaseData("1/log2(L)", 8, 1.0 / 3).SetName("log2");
        yield return new TestCaseData("  1 /\tsqrt ( L )  ", 64, 0.125).SetName("whitespace tolerated");
        yield return new TestCaseData("L ^ - 0.5", 4, 0.5).SetName("whitespace inside a signed exponent");
    }

    [TestCaseSource(nameof(Values))]
    public void ParsesAndEvaluates(string text, int depth, double expected)
    {
        var rule = TauRule.Parse(text);
        Assert.Multiple(() =>
        {
            Assert.That(rule.Evaluate(depth, 1), Is.EqualTo(expected).Within(Ulps).Ulps);
            Assert.That(rule.IsPerLayer, Is.False);
            Assert.That(rule.Schedule(depth), Has.All.EqualTo(rule.Evaluate(depth, 1)));
            Assert.That(rule.Text, Is.EqualTo(text.Trim()));
        });
    }

    [Test]
    public void StableResNetRuleIsPerLayer()
    {
        var rule = TauRule.Parse("1/sqrt(l*log(l+1)^2)");
        Assert.That(rule.IsPerLayer, Is.True);
        var schedule = rule.Schedule(5);
        Assert.That(schedule, Has.Length.EqualTo(5));
        for (int l = 1; l <= 5; l++)
        {
            double direct = 1 / Math.Sqrt(l * Math.Log(l + 1) * Math.Log(l + 1));
            Assert.Multiple(() =>
            {
                Assert.That(schedule[l - 1], Is.EqualTo(direct).Within(Ulps).Ulps, $"schedule l={l}");
                Assert.That(rule.Evaluate(5, l), Is.EqualTo(direct).Within(Ulps).Ulps, $"evaluate l={l}");
            });
        }
        Assert.That(schedule.Distinct().Count(), Is.EqualTo(5), "τ differs across layers");
        Assert.That(schedule, Is.Ordered.Descending);
    }

    [Test]
    public void DepthOnlyRuleIsNotPerLayer()
    {
        var rule = TauRule.Parse("1/sqrt(L)");
        Assert.Multiple(() =>
        {
            Assert.That(rule.IsPerLayer, Is.False);
            Assert.That(rule.Schedule(16), Is.EqualTo(Enumerable.Repeat(0.25, 16)).AsCollection);
            Assert.That(rule.FreeParameters, Is.Empty);
        });
    }

    [Test]
    public void BoundParameterIsUsed()
    {
        var family = TauRule.Parse("L^-beta");
        Assert.That(family.FreeParameters, Is.EquivalentTo(new[] { "beta" }));
        var rule = family.Bind("beta", 0.5);
        Assert.Multiple(() =>
        {
            Assert.That(rule.FreeParameters, Is.Empty);
            Assert.That(rule.Evaluate(16, 1), Is.EqualTo(0.25).Within(Ulps).Ulps);
            Assert.That(family.Bind("beta", 1).Evaluate(16, 1), Is.EqualTo(1.0 / 16).Within(Ulps).Ulps);
            Assert.That(rule, Is.Not.EqualTo(family.Bind("beta", 1)));
            Assert.That(rule, Is.EqualTo(TauRule.Parse("L^-beta").Bind("beta", 0.5)));
            Assert.That(rule.ToString(), Does.Contain("beta=0.5"));
        });
        // Binding returns a new rule; the family itself stays unbound.
        Assert.That(() => family.Evaluate(16, 1), Throws.TypeOf<SpecException>());
    }

    [Test]
    public void ConstantRoundTrips()
    {
        var rule = TauRule.Constant(0.123456789);
        Assert.That(rule.Evaluate(3, 2), Is.EqualTo(0.123456789));
    }

    // ---------------------------------------------------------------- bad rules

    private static void AssertOneLine(SpecException e, params string[] mustContain)
    {
        Assert.That(e.Message, Is.Not.Empty);
        Assert.That(e.Message, Does.Not.Contain('\n').And.Not.Contain('\r'), "message must be one line");
        foreach (var s in mustContain)
            Assert.That(e.Message, Does.Contain(s).IgnoreCase, $"message '{e.Message}' should name '{s}'");
    }

    [TestCase("", "empty")]
    [TestCase("   ", "empty")]
    [TestCase("1/", "end")]
    [TestCase("foo(L)", "unknown function", "foo")]
    [TestCase("sqrt L", "sqrt", "argument")]
    [TestCase("(1/L", "')'")]
    [TestCase("1/L)", "unexpected ')'")]
    [TestCase("1.2.3", "bad number", "1.2.3")]
    [TestCase("L $ 2", "unexpected '$'")]
    [TestCase("1/*L", "unexpected '*'")]
    public void BadSyntaxThrowsSpecExceptionNamingTheProblem(string text, params string[] mustContain)
    {
        var e = Assert.Throws<SpecException>(() => TauRule.Parse(text))!;
        AssertOneLine(e, mustContain);
    }

    [TestCase("-0.1", 10, "τ", "-0.1", "positive")]
    [TestCase("0", 10, "τ", "positive")]
    [TestCase("-L^2", 3, "τ", "-9", "positive")]
    [TestCase("1/(L-10)", 10, "τ", "L=10", "finite")]
    [TestCase("log(1-L)", 2, "τ", "NaN", "finite")]
    public void NonPositiveOrNonFiniteValueThrowsAtEvaluation(string text, int depth, params string[] mustContain)
    {
        var rule = TauRule.Parse(text);
        var e = Assert.Throws<SpecException>(() => rule.Evaluate(depth, 1))!;
        AssertOneLine(e, mustContain);
        Assert.That(() => rule.Schedule(depth), Throws.TypeOf<SpecException>());
    }

    [Test]
    public void PerLayerRuleFailsAtTheBadLayer()
    {
        // Positive for l < 4, zero at l = 4.
        var rule = TauRule.Parse("4-l");
        Assert.That(rule.Evaluate(10, 3), Is.EqualTo(1.0));
        var e = Assert.Throws<SpecException>(() => rule.Schedule(10))!;
        AssertOneLine(e, "l=4");
    }

    [Test]
    public void UnboundParameterThrows()
    {
        var e = Assert.Throws<SpecException>(() => TauRule.Parse("L^-beta").Evaluate(16, 1))!;
        AssertOneLine(e, "unbound", "beta");
    }

    [Test]
    public void BindingAMissingParameterThrows()
    {
        var e = Assert.Throws<SpecException>(() => TauRule.Parse("L^-beta").Bind("gamma", 0.5))!;
        AssertOneLine(e, "gamma");
    }

    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void BindingANonFiniteValueThrows(double value)
    {
        var e = Assert.Throws<SpecException>(() => TauRule.Parse("L^-beta").Bind("beta", value))!;
        AssertOneLine(e, "beta", "finite");
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void ScheduleRejectsNonPositiveDepth(int depth)
    {
        var e = Assert.Throws<SpecException>(() => TauRule.Parse("1/L").Schedule(depth))!;
        AssertOneLine(e, "depth");
    }

    // ---------------------------------------------------------------- NetworkSpec and names

    [TestCase(0, 10, 10, 1, "width")]
    [TestCase(-5, 10, 10, 1, "width")]
    [TestCase(64, 0, 10, 1, "depth")]
    [TestCase(64, -3, 10, 1, "depth")]
    [TestCase(64, 10, 0, 1, "input")]
    [TestCase(64, 10, 10, 0, "output")]
    public void NetworkSpecRejectsBadSizes(int width, int depth, int inputDim, int outputDim, string field)
    {
        var e = Assert.Throws<SpecException>(() =>
            new NetworkSpec(width, depth, TauRule.Parse("1/sqrt(L)"), inputDim: inputDim, outputDim: outputDim))!;
        AssertOneLine(e, field);
    }

    [Test]
    public void NetworkSpecRejectsATauRuleThatIsBadAtItsDepth()
    {
        var e = Assert.Throws<SpecException>(() => new NetworkSpec(64, 10, TauRule.Parse("1/(L-10)")))!;
        AssertOneLine(e, "τ");
    }

    [Test]
    public void ValidNetworkSpecBuildsItsSchedule()
    {
        var spec = new NetworkSpec(64, 4, TauRule.Parse("1/L"));
        Assert.That(spec.TauSchedule(), Is.EqualTo(new[] { 0.25, 0.25, 0.25, 0.25 }).AsCollection);
    }

    [Test]
    public void UnknownBlockListsTheKnownOnes()
    {
        var e = Assert.Throws<SpecException>(() => ModelNames.ParseBlock("res4"))!;
        AssertOneLine(e, "res4", "block", "post", "res1", "res3");
    }

    [TestCase("post", BlockKind.Post)]
    [TestCase("res1", BlockKind.Res1)]
    [TestCase(" RES3 ", BlockKind.Res3)]
    public void KnownBlocksParse(string text, BlockKind expected)
    {
        Assert.That(ModelNames.ParseBlock(text), Is.EqualTo(expected));
    }

    [Test]
    public void NamesRoundTrip()
    {
        Assert.Multiple(() =>
        {
            foreach (var b in Enum.GetValues<BlockKind>()) Assert.That(ModelNames.ParseBlock(b.Name()), Is.EqualTo(b));
            foreach (var a in Enum.GetValues<Activation>()) Assert.That(ModelNames.ParseActivation(a.Name()), Is.EqualTo(a));
            foreach (var w in Enum.GetValues<WeightLaw>()) Assert.That(ModelNames.ParseWeightLaw(w.Name()), Is.EqualTo(w));
        });
    }
}
