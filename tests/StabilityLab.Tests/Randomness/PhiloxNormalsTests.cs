using MathNet.Numerics.Distributions;
using NUnit.Framework;
using StabilityLab.Randomness;

namespace StabilityLab.Tests.Randomness;

/// <summary>
/// What Philox normals add to <see cref="NormalGeneratorTests"/> (which runs every statistical test for
/// both generators): every path gives the same bits, the documented layout, and the far tail.
/// </summary>
[TestFixture]
public sealed class PhiloxNormalsTests
{
    private static RandomStream Philox(ulong seed, uint cell, uint trial) => RandomStream.For(seed, cell, trial, RandomGenerator.Philox);

    [Test]
    public void EveryPathGivesTheSameBits() =>
        GeneratorChecks.EveryPathGivesTheSameBits(RandomGenerator.Philox, new[] { 1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 1000, 1001, 4099 });

    [Test]
    public void ScalarPathFollowsTheDocumentedLayout()
    {
        // n = 5: h = 3 draws; out[k] = ρ cos 2πu2, out[h+k] = ρ sin 2πu2 (the last sin is dropped).
        var s = Philox(77, 8, 9);
        ulong domain = RandomStream.Domain(6, 1);
        var x = new double[5];
        NormalGenerator.Fill(s, domain, x, SimdPath.Scalar);
        var (a, b) = Threefry2x64.Block(s.Seed, s.Key, 0x5048_494C_4F58_4B45, 0);
        var expected = new double[5];
        for (int k = 0; k < 3; k++)
        {
            var (x0, x1, x2, x3) = Philox4x32.Block((uint)k, (uint)domain, (uint)(domain >> 32), (uint)b, (uint)a, (uint)(a >> 32));
            double u1 = 1 - (((((ulong)x1 << 32) | x0) >> 12) * Math.Pow(2, -52));
            double u2 = ((((ulong)x3 << 32) | x2) >> 12) * Math.Pow(2, -52);
            double r = Math.Sqrt(-2 * Math.Log(u1));
            expected[k] = r * Math.Cos(2 * Math.PI * u2);
            if (3 + k < 5) expected[3 + k] = r * Math.Sin(2 * Math.PI * u2);
        }
        Assert.That(x, Is.EqualTo(expected).AsCollection.Within(1e-14));
    }

    [Test]
    public void TailBeyondFiveSigmaHasNormalFrequency() => GeneratorChecks.TailBeyondFiveSigmaHasNormalFrequency(RandomGenerator.Philox);

    [Test]
    public void SixSigmaTailIsNotTruncatedAndMapsExactly()
    {
        // Beyond 6σ a sample has probability 2e-9, too rare to count here; what decides it is the map u1 → ρ:
        // the grid of u1 (multiples of 2⁻⁵²) reaches ρ = √(104 ln 2) ≈ 8.49, and ρ(u1) is √(−2 ln u1) to rounding.
        double rhoMax = PortableMath.BoxMuller((1UL << 52) - 1, 0).Cos;
        Assert.That(rhoMax, Is.EqualTo(Math.Sqrt(104 * Math.Log(2))).Within(1e-14), "largest radius (u1 = 2⁻⁵²)");
        foreach (var c in new[] { 4.0, 6.0, 7.0, 8.0 })
        {
            // u1 = exp(−c²/2) rounded to the grid: w1 = (1 − u1)·2⁵².
            ulong w1 = (ulong)Math.Round((1 - Math.Exp(-c * c / 2)) * 4503599627370496.0);
            double u1 = 1 - w1 / 4503599627370496.0;
            double rho = PortableMath.BoxMuller(w1, 0).Cos; // u2 = 0: cos = 1, so the value is ρ
            Assert.That(rho, Is.EqualTo(Math.Sqrt(-2 * Math.Log(u1))).Within(4e-15 * c), $"ρ at {c}σ");
        }
    }
}
