using MathNet.Numerics.Distributions;
using NUnit.Framework;
using StabilityLab.Randomness;

namespace StabilityLab.Tests.Randomness;

/// <summary>Checks that every Philox generator must pass, written once and run by each generator's own tests.</summary>
internal static class GeneratorChecks
{
    /// <summary>The sample (Pearson) correlation of two equally long spans (MathNet).</summary>
    public static double Correlation(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        MathNet.Numerics.Statistics.Correlation.Pearson(x.ToArray(), y.ToArray());

    /// <summary>Every vector path gives the scalar path's bits, for three streams (the extreme seed and key included) and every length.</summary>
    public static void EveryPathGivesTheSameBits(RandomGenerator generator, IEnumerable<int> lengths)
    {
        RandomStream S(ulong seed, uint cell, uint trial) => RandomStream.For(seed, cell, trial, generator);
        foreach (var n in lengths)
        {
            foreach (var (s, d) in new[] { (S(0, 0, 0), 0UL), (S(7, 123, 456), RandomStream.Domain(99, 3)),
                         (new RandomStream(ulong.MaxValue, ulong.MaxValue, generator), ulong.MaxValue) })
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

    /// <summary>2²⁴ normals: the |z| &gt; 5 count is Binomial(n, p), p = 2(1 − Φ(5)) ≈ 5.733e-7, within 4 SE.</summary>
    public static void TailBeyondFiveSigmaHasNormalFrequency(RandomGenerator generator)
    {
        const int n = 1 << 24;
        var x = new double[1 << 20];
        long count = 0;
        for (int c = 0; c < n / x.Length; c++)
        {
            NormalGenerator.Fill(RandomStream.For(31, 4, (uint)c, generator), RandomStream.Domain(1, 1), x);
            count += x.Count(v => Math.Abs(v) > 5);
        }
        double p = 2 * (1 - Normal.CDF(0, 1, 5));
        double expected = n * p, se = Math.Sqrt(n * p * (1 - p));
        Assert.That(count, Is.EqualTo(expected).Within(4 * se), $"|z| > 5 count {count}, expected {expected:F1} ± 4·{se:F2}");
    }
}
