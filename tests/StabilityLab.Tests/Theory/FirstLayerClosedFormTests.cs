using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>The density-evolution recursion against the closed forms of the first layer (docs/science.md §3).</summary>
public class FirstLayerClosedFormTests
{
    [TestCase(0.05)]
    [TestCase(0.3)]
    [TestCase(1.0)]
    [TestCase(3.0)]
    public void RecursionEqualsClosedFormQ1(double tau)
    {
        var curve = InfiniteWidthRecursion.PostRelu([tau]);
        double q1 = FirstLayerClosedForm.Q1(tau);
        // Stated accuracy of the default grid: 1e-9 relative (1e-6 was asked for).
        Assert.That(Math.Exp(curve.LogQ[1]), Is.EqualTo(q1).Within(1e-9 * q1), $"τ = {tau}");
        Assert.That(curve.LogQ[0], Is.EqualTo(0.0));
    }

    [TestCase(0.05)]
    [TestCase(1.0)]
    [TestCase(3.0)]
    public void RecursionEqualsClosedFormAtomMass(double tau)
    {
        var curve = InfiniteWidthRecursion.PostRelu([tau]);
        Assert.That(curve.AtomMass[0], Is.EqualTo(0.5));
        Assert.That(curve.AtomMass[1], Is.EqualTo(FirstLayerClosedForm.AtomMass1(tau)).Within(1e-7));
    }

    [Test]
    public void ClosedFormLimits()
    {
        // τ = 0: Y_1 = Y_0, Q_1 = Q_0 = 1. Large τ: Q_1 ≈ τ² + 2τ/π + ... (half of the Gaussian branch's 2τ²).
        Assert.That(FirstLayerClosedForm.Q1(0), Is.EqualTo(1.0).Within(1e-15));
        Assert.That(FirstLayerClosedForm.Q1(1e4) / 1e8, Is.EqualTo(1.0).Within(1e-3));
        Assert.That(FirstLayerClosedForm.AtomMass1(0), Is.EqualTo(0.5));
        Assert.That(FirstLayerClosedForm.AtomMass1(1e-12), Is.EqualTo(0.25).Within(1e-12));
        Assert.Throws<ArgumentOutOfRangeException>(() => FirstLayerClosedForm.Q1(-1));
    }
}
