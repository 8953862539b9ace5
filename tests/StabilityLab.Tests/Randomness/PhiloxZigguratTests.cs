using MathNet.Numerics.Distributions;
using NUnit.Framework;
using StabilityLab.Randomness;

namespace StabilityLab.Tests.Randomness;

/// <summary>
/// What the Philox ziggurat adds to <see cref="NormalGeneratorTests"/> (which runs every statistical test for it too):
/// every path gives the same bits, the documented layout of the fast path, the fallback taken at the rate the table
/// implies, the tail method on its own (beyond 5σ and 6σ), and neighbours inside and between Philox blocks.
/// Bounds are 4 standard errors or the 0.1% KS critical value, at fixed seeds.
/// </summary>
[TestFixture]
public sealed class PhiloxZigguratTests
{
    private static RandomStream Zig(ulong seed, uint cell, uint trial) => RandomStream.For(seed, cell, trial, RandomGenerator.PhiloxZiggurat);

    private static readonly ZigguratTable Table = ZigguratTable.Instance;

    /// <summary>The word of normal k (the documented layout): word 2⌊(k mod 32)/16⌋ + k mod 2 of block 8⌊k/32⌋ + ⌊(k mod 16)/2⌋.</summary>
    private static uint Word(RandomStream s, ulong domain, int k)
    {
        var (k0, k1, c3) = PhiloxZiggurat.Key(s);
        uint b = (uint)(8 * (k / 32) + (k % 16) / 2);
        var (x0, x1, x2, x3) = Philox4x32.Block(b, (uint)domain, (uint)(domain >> 32), c3, k0, k1);
        return (2 * ((k % 32) / 16) + k % 2) switch { 0 => x0, 1 => x1, 2 => x2, _ => x3 };
    }

    /// <summary>Layer and odd integer of a word: i = w mod 128, m = 2⌊s/128⌋ + 1 (s the word as a signed integer).</summary>
    private static (int Layer, int M) Decode(uint w) => ((int)(w % ZigguratTable.Layers), 2 * (int)Math.Floor((int)w / (double)ZigguratTable.Layers) + 1);

    private static bool FastAccepted(uint w)
    {
        var (i, m) = Decode(w);
        return Math.Abs(m) < Table.Threshold[i];
    }

    [Test]
    public void EveryPathGivesTheSameBits() =>
        GeneratorChecks.EveryPathGivesTheSameBits(RandomGenerator.PhiloxZiggurat, Enumerable.Range(1, 140).Concat([255, 256, 257, 1000, 1023, 1024, 1025, 4095, 4096, 4099, 100_003]));

    [Test]
    public void ValuesDoNotDependOnTheLengthOfTheRequest()
    {
        var s = Zig(3, 4, 5);
        var full = new double[5000];
        NormalGenerator.Fill(s, 9, full);
        foreach (var n in new[] { 1, 17, 32, 33, 1000, 4999 })
        {
            var part = new double[n];
            NormalGenerator.Fill(s, 9, part);
            Assert.That(part, Is.EqualTo(full.Take(n)).AsCollection, $"n={n}");
        }
    }

    [Test]
    public void FastPathFollowsTheDocumentedLayout()
    {
        // A word the fast path accepts gives m·Xᵢ·2⁻²⁵ exactly; the others (about 2.8%) went through the fallback.
        var s = Zig(77, 8, 9);
        ulong domain = RandomStream.Domain(6, 1);
        var x = new double[4133];
        NormalGenerator.Fill(s, domain, x, SimdPath.Scalar);
        int fast = 0;
        for (int k = 0; k < x.Length; k++)
        {
            uint w = Word(s, domain, k);
            if (!FastAccepted(w)) continue;
            var (i, m) = Decode(w);
            Assert.That(x[k], Is.EqualTo(m * (double)Table.Width[i]), $"normal {k}");
            fast++;
        }
        Assert.That(fast, Is.GreaterThan(0.95 * x.Length));
    }

    [Test]
    public void FallbackIsTakenAtTheRateOfTheTableAndAgreesOnEveryPath()
    {
        // Rejection probability of the fast path: a layer is uniform over 128 and |m| over the 2²⁴ odd values in (0, 2²⁵).
        double p = Enumerable.Range(0, ZigguratTable.Layers).Average(i => 1 - Math.Min(1.0, (Table.Threshold[i] / 2) / (double)(1 << 24)));
        Assert.That(p, Is.InRange(0.02, 0.035), "the fast path rejects about 2.8% with 128 layers");
        const int n = 1 << 18;
        int rejected = 0, tail = 0;
        foreach (var (s, d) in new[] { (Zig(1, 2, 3), 4UL), (Zig(5, 6, 7), 8UL), (Zig(9, 10, 11), 12UL), (Zig(13, 14, 15), 16UL) })
        {
            var scalar = new double[n];
            var vector = new double[n];
            NormalGenerator.Fill(s, d, scalar, SimdPath.Scalar);
            NormalGenerator.Fill(s, d, vector, SimdPaths.Best);
            for (int k = 0; k < n; k++)
            {
                if (FastAccepted(Word(s, d, k))) continue;
                rejected++;
                if (Math.Abs(scalar[k]) > ZigguratTable.R) tail++; // only the tail reaches beyond the base rectangle
                Assert.That(BitConverter.DoubleToInt64Bits(vector[k]), Is.EqualTo(BitConverter.DoubleToInt64Bits(scalar[k])), $"fallback normal {k} of {s}");
            }
        }
        double total = 4.0 * n, se = Math.Sqrt(total * p * (1 - p));
        Assert.That(rejected, Is.EqualTo(total * p).Within(4 * se), $"fast-path rejections {rejected}, expected {total * p:F0} ± 4·{se:F1}");
        double pt = 2 * (1 - Normal.CDF(0, 1, ZigguratTable.R)), set = Math.Sqrt(total * pt * (1 - pt));
        Assert.That(tail, Is.EqualTo(total * pt).Within(4 * set), $"tail draws {tail}, expected {total * pt:F0} ± 4·{set:F1}");
    }

    [Test]
    public void TailMethodFollowsTheTruncatedNormal()
    {
        // 2²⁰ draws of the tail alone, against P(X ≤ x | X > R) = (Φ(x) − Φ(R))/(1 − Φ(R)): KS, and the counts beyond 5σ and 6σ.
        const int n = 1 << 20;
        var s = Zig(21, 22, 23);
        var t = new double[n];
        for (int k = 0; k < n; k++) t[k] = PhiloxZiggurat.TailSample(s, 24, k);
        double r = ZigguratTable.R, qr = Normal.CDF(0, 1, -r); // 1 − Φ(R), from the left for precision
        Array.Sort(t);
        Assert.That(t[0], Is.GreaterThanOrEqualTo(r));
        double dmax = 0;
        for (int i = 0; i < n; i++)
        {
            double f = 1 - Normal.CDF(0, 1, -t[i]) / qr;
            dmax = Math.Max(dmax, Math.Max((i + 1.0) / n - f, f - (double)i / n));
        }
        Assert.That(dmax, Is.LessThan(1.9495 / Math.Sqrt(n)), "KS against the truncated normal at α = 0.001");
        foreach (var c in new[] { 5.0, 6.0 })
        {
            double p = Normal.CDF(0, 1, -c) / qr, expected = n * p, se = Math.Sqrt(n * p * (1 - p));
            int count = t.Count(v => v > c);
            Assert.That(count, Is.EqualTo(expected).Within(4 * se), $"tail draws beyond {c}σ: {count}, expected {expected:F2} ± 4·{se:F2}");
        }
        Assert.That(t.Count(v => v > 6.0), Is.GreaterThan(0), "the tail is not truncated at 6σ");
    }

    [Test]
    public void TailBeyondFiveSigmaHasNormalFrequency() => GeneratorChecks.TailBeyondFiveSigmaHasNormalFrequency(RandomGenerator.PhiloxZiggurat);

    [Test]
    public void NeighboursInsideAndBetweenBlocksAreUncorrelated()
    {
        // Lag 1: words of one block; lag 8 and 16: neighbouring blocks and the other half of a block; also |z| (the layers).
        const int n = 1 << 20;
        var x = new double[n];
        NormalGenerator.Fill(Zig(9, 3, 1), RandomStream.Domain(2, 0), x);
        var a = x.Select(Math.Abs).ToArray();
        foreach (int lag in new[] { 1, 2, 8, 16, 32 })
        {
            double r = GeneratorChecks.Correlation(x.AsSpan(0, n - lag), x.AsSpan(lag)), ra = GeneratorChecks.Correlation(a.AsSpan(0, n - lag), a.AsSpan(lag));
            Assert.That(r, Is.EqualTo(0).Within(4 / Math.Sqrt(n - lag)), $"lag-{lag} correlation");
            Assert.That(ra, Is.EqualTo(0).Within(4 / Math.Sqrt(n - lag)), $"lag-{lag} correlation of |z|");
        }
    }

    [Test]
    public void OtherGeneratorsOfTheSameStreamGiveOtherNumbers()
    {
        var s = RandomStream.For(1, 2, 3);
        var values = new[] { RandomGenerator.PhiloxZiggurat, RandomGenerator.Philox, RandomGenerator.Threefry }.Select(g =>
        {
            var v = new double[64];
            NormalGenerator.Fill(s with { Generator = g }, 5, v);
            return v;
        }).ToArray();
        Assert.That(GeneratorChecks.Correlation(values[0], values[1]), Is.EqualTo(0).Within(0.5));
        Assert.That(values[0], Is.Not.EqualTo(values[1]).And.Not.EqualTo(values[2]));
    }

}
