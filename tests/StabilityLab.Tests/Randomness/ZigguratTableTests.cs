using MathNet.Numerics;
using NUnit.Framework;
using StabilityLab.Randomness;

namespace StabilityLab.Tests.Randomness;

/// <summary>
/// The ziggurat's tables (<see cref="ZigguratTable"/>) checked against their definition with the C library's exp, log
/// and MathNet's erfc: the constants, equal layer areas, every layer covering the curve, the fast-accept thresholds
/// inside it, the closure at y = 1, and the tail odds.
/// </summary>
[TestFixture]
public sealed class ZigguratTableTests
{
    private static readonly ZigguratTable T = ZigguratTable.Instance;
    private const int N = ZigguratTable.Layers;
    private static readonly double Scale = Math.Pow(2, -ZigguratTable.MBits);

    private static double F(double x) => Math.Exp(-x * x / 2);

    private static double FInverse(double y) => Math.Sqrt(-2 * Math.Log(y));

    [Test]
    public void TheConstantsAreTheTailAreaOfRAndTheLargestClosingEdge()
    {
        double tail = Math.Sqrt(Math.PI / 2) * SpecialFunctions.Erfc(ZigguratTable.R / Math.Sqrt(2));
        Assert.That(ZigguratTable.TailArea / tail - 1, Is.EqualTo(0).Within(1e-14), "tail area = √(π/2)·erfc(R/√2)");
        Assert.That((double)(float)ZigguratTable.R, Is.EqualTo(ZigguratTable.R), "R is on the 24-bit grid");
        // One grid step up, the layers no longer reach y = 1.
        double up = MathF.BitIncrement((float)ZigguratTable.R);
        double upTail = Math.Sqrt(Math.PI / 2) * SpecialFunctions.Erfc(up / Math.Sqrt(2));
        Assert.That(ZigguratTable.TryBuild(up, upTail, out _, out var why), Is.False);
        Assert.That(why, Does.StartWith("short"));
    }

    [Test]
    public void LayersHaveEqualAreasAndCoverTheCurve()
    {
        double area = T.Area;
        Assert.That(T.BaseWidth * F(ZigguratTable.R), Is.EqualTo(area).Within(1e-14 * area), "base layer: X₀·f(R)");
        Assert.That(T.Y[1], Is.EqualTo(F(ZigguratTable.R)).Within(2e-16 * T.Y[1]));
        for (int i = 1; i < N; i++)
        {
            double x = T.Width[i] / Scale;
            Assert.That(x * T.Height[i], Is.EqualTo(area).Within(1e-14 * area), $"area of layer {i}");
            Assert.That(T.Height[i], Is.EqualTo(T.Y[i + 1] - T.Y[i]));
            Assert.That(x, Is.GreaterThanOrEqualTo(FInverse(T.Y[i])), $"layer {i} covers the curve at its bottom");
            Assert.That(x, Is.LessThan(FInverse(T.Y[i]) * (1 + 1e-6)), $"layer {i} is no wider than rounding needs");
        }
        Assert.That(T.Y[N - 1], Is.LessThan(1));
        // One step of R on its 24-bit grid moves Y₁₂₈ by about 3e-6, so the overshoot above 1 is below that.
        Assert.That(T.Y[N], Is.GreaterThanOrEqualTo(1).And.LessThan(1 + 1e-5), "the top layer closes at y = 1 with little waste");
    }

    [Test]
    public void ThresholdsBoundTheInsideOfEachLayer()
    {
        for (int i = 0; i < N; i++)
        {
            double w = T.Width[i];
            double edge = i == 0 ? ZigguratTable.R : i + 1 < N ? FInverse(T.Y[i + 1]) : 0;
            long t = T.Threshold[i];
            if (t > 0) Assert.That((t - 1) * w, Is.LessThan(edge * (1 + 1e-15)), $"layer {i}: the largest fast |m| lies inside the curve");
            Assert.That(t * w, Is.GreaterThanOrEqualTo(edge * (1 - 1e-13)), $"layer {i}: the threshold is not needlessly small");
        }
        Assert.That(T.Threshold[N - 1], Is.Zero, "the top layer has no fast region");
    }

    [Test]
    public void TailOddsSplitTheBaseLayerBeyondR()
    {
        // P(tail | base, x ≥ R) = TailArea/((X₀ − R)·f(R)), just below 1: the rest of the strip is the waste of rounding X₀ up.
        double expected = ZigguratTable.TailArea / ((T.BaseWidth - ZigguratTable.R) * F(ZigguratTable.R));
        Assert.That(T.TailOdds, Is.EqualTo(expected).Within(1e-13));
        Assert.That(T.TailOdds, Is.LessThanOrEqualTo(1).And.GreaterThan(1 - 1e-5));
    }

    [Test]
    public void WidthsAreRoundedUpToFloats()
    {
        foreach (var v in new[] { 1.0, 0.1, Math.PI, 3.2e-8, 1 + 1e-12 })
        {
            double r = ZigguratTable.RoundUp(v);
            Assert.That(r, Is.GreaterThanOrEqualTo(v));
            Assert.That((double)(float)r, Is.EqualTo(r));
            Assert.That(r, Is.LessThan(v * (1 + Math.Pow(2, -23))));
        }
    }
}
