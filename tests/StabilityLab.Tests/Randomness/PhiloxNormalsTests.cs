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
    public void EveryPathGivesTheSameBits()
    {
        foreach (var n in new[] { 1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 1000, 1001, 4099 })
        {
            foreach (var (s, d) in new[] { (Philox(0, 0, 0), 0UL), (Philox(7, 123, 456), RandomStream.Domain(99, 3)),
                         (new RandomStream(ulong.MaxValue, ulong.MaxValue, RandomGenerator.Philox), ulong.MaxValue) })
            {
                var scalar = new double[n];
                NormalGenerator.Fill(s, d, scalar, SimdPath.Scalar);
                foreach (var path in new[] { SimdPath.Vector256, SimdPath.Vector512, SimdPath.Auto })
                {
                    var v = new double[n];
                    NormalGenerator.Fill(s, d, v, path);
                    Assert.That(v.Select(BitConverter.DoubleToInt64Bits), Is.EqualTo(scalar.Select(BitConverter.DoubleToInt64Bits)),
                        $"{path} vs Scalar, n={n}, stream={s}, domain={d}");
                }
            }
        }
    }

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
    public void TailBeyondFiveSigmaHasNormalFrequency()
    {
        // 2^24 normals: the |z| > 5 count is Binomial(n, p), p = 2(1 − Φ(5)) ≈ 5.733e-7.
        const int n = 1 << 24;
        var x = new double[1 << 20];
        long count = 0;
        for (int c = 0; c < n / x.Length; c++)
        {
            NormalGenerator.Fill(Philox(31, 4, (uint)c), RandomStream.Domain(1, 1), x);
            count += x.Count(v => Math.Abs(v) > 5);
        }
        double p = 2 * (1 - Normal.CDF(0, 1, 5));
        double expected = n * p, se = Math.Sqrt(n * p * (1 - p));
        Assert.That(count, Is.EqualTo(expected).Within(4 * se), $"|z| > 5 count {count}, expected {expected:F1} ± 4·{se:F2}");
    }

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
