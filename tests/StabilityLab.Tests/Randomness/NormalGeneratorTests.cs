using MathNet.Numerics.Distributions;
using NUnit.Framework;
using StabilityLab.Randomness;

namespace StabilityLab.Tests.Randomness;

/// <summary>
/// Normals of every generator (Box–Muller from Threefry and Philox streams, the Philox ziggurat): distribution (moments, KS, tails), independence of
/// distinct streams, equality of the vector paths with the scalar one, determinism.
/// All statistical bounds are 4 standard errors (or the exact 0.1% KS critical value) at fixed seeds.
/// </summary>
[TestFixture(RandomGenerator.Threefry)]
[TestFixture(RandomGenerator.Philox)]
[TestFixture(RandomGenerator.PhiloxZiggurat)]
public sealed class NormalGeneratorTests(RandomGenerator generator)
{
    // Every stream of a test uses the fixture's generator.
    private RandomStream G(RandomStream s) => s with { Generator = generator };

    private const int N = 1 << 20;

    private static IEnumerable<SimdPath> Paths() => SimdPaths.Supported;

    // ---------------------------------------------------------------- distribution

    /// <summary>2^20 normals from four (stream, domain) chunks of 2^18 each.</summary>
    private double[] Sample(SimdPath path)
    {
        var chunks = new (RandomStream Stream, ulong Domain)[]
        {
            (RandomStream.For(1, 0, 0), RandomStream.Domain(0, 0)),
            (RandomStream.For(1, 0, 1), RandomStream.Domain(3, 1)),
            (RandomStream.For(2, 5, 0), RandomStream.Domain(1, 0)),
            (RandomStream.For(0xDEADBEEF, 99, 7), RandomStream.Domain(1000, 2)),
        };
        var x = new double[N];
        int m = N / chunks.Length;
        for (int i = 0; i < chunks.Length; i++)
            NormalGenerator.Fill(G(chunks[i].Stream), chunks[i].Domain, x.AsSpan(i * m, m), path);
        return x;
    }

    [TestCaseSource(nameof(Paths))]
    public void MomentsMatchStandardNormal(SimdPath path)
    {
        var x = Sample(path);
        double n = x.Length;
        double mean = x.Average();
        double m2 = 0, m3 = 0, m4 = 0;
        foreach (var v in x)
        {
            double d = v - mean, d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }
        m2 /= n; m3 /= n; m4 /= n;
        double skew = m3 / Math.Pow(m2, 1.5);
        double exKurt = m4 / (m2 * m2) - 3;
        Assert.Multiple(() =>
        {
            Assert.That(mean, Is.EqualTo(0).Within(4 / Math.Sqrt(n)), "mean (4 SE, SE = 1/√n)");
            Assert.That(m2, Is.EqualTo(1).Within(4 * Math.Sqrt(2 / n)), "variance (4 SE, SE = √(2/n))");
            Assert.That(skew, Is.EqualTo(0).Within(4 * Math.Sqrt(6 / n)), "skewness (4 SE, SE = √(6/n))");
            Assert.That(exKurt, Is.EqualTo(0).Within(4 * Math.Sqrt(24 / n)), "excess kurtosis (4 SE, SE = √(24/n))");
        });
    }

    [TestCaseSource(nameof(Paths))]
    public void KolmogorovSmirnovAgainstPhiPassesAtOneInAThousand(SimdPath path)
    {
        var x = Sample(path);
        Array.Sort(x);
        int n = x.Length;
        double d = 0;
        for (int i = 0; i < n; i++)
        {
            double f = Normal.CDF(0, 1, x[i]);
            d = Math.Max(d, Math.Max((i + 1.0) / n - f, f - (double)i / n));
        }
        // Asymptotic critical value of the KS statistic at α = 0.001: K⁻¹(0.999) ≈ 1.9495.
        double critical = 1.9495 / Math.Sqrt(n);
        Assert.That(d, Is.LessThan(critical), $"KS D = {d:G6}, critical {critical:G6}");
    }

    [TestCaseSource(nameof(Paths))]
    public void TailBeyondFourSigmaHasNormalFrequency(SimdPath path)
    {
        var x = Sample(path);
        int n = x.Length;
        int count = x.Count(v => Math.Abs(v) > 4);
        double p = 2 * (1 - Normal.CDF(0, 1, 4)); // ≈ 6.334e-5
        Assert.That(p, Is.EqualTo(6.334e-5).Within(1e-8), "reference tail probability");
        double expected = n * p, se = Math.Sqrt(n * p * (1 - p));
        Assert.That(count, Is.EqualTo(expected).Within(4 * se), $"|z| > 4 count {count}, expected {expected:F1} ± 4·{se:F2}");
    }

    [TestCaseSource(nameof(Paths))]
    public void ValuesAreFiniteAndInTheirRange(SimdPath path)
    {
        var x = Sample(path);
        // Box–Muller: u1 ≥ 2⁻⁵³ bounds |z| ≤ √(−2 ln 2⁻⁵³) = √(106 ln 2). Ziggurat: the tail's R + ε1 is accepted only when
        // ε1² < 2ε2 ≤ 2·52 ln 2 (u2 ≥ 2⁻⁵²), so |z| < R + √(104 ln 2).
        double bound = generator == RandomGenerator.PhiloxZiggurat ? ZigguratTable.R + Math.Sqrt(104 * Math.Log(2)) : Math.Sqrt(106 * Math.Log(2));
        Assert.That(x, Has.All.Matches<double>(v => double.IsFinite(v) && Math.Abs(v) <= bound));
    }

    // ---------------------------------------------------------------- independence

    private const int NIndep = 1 << 18;

    private static IEnumerable<TestCaseData> IndependencePairs()
    {
        const ulong seed = 42;
        const uint cell = 17, trial = 5;
        ulong dom = RandomStream.Domain(4, 1);
        var cases = new (string Name, RandomStream A, ulong DA, RandomStream B, ulong DB)[]
        {
            ("different trial", RandomStream.For(seed, cell, trial), dom, RandomStream.For(seed, cell, trial + 1), dom),
            ("different cell", RandomStream.For(seed, cell, trial), dom, RandomStream.For(seed, cell + 1, trial), dom),
            ("different seed", RandomStream.For(seed, cell, trial), dom, RandomStream.For(seed + 1, cell, trial), dom),
            ("different purpose", RandomStream.For(seed, cell, trial), dom, RandomStream.For(seed, cell, trial), RandomStream.Domain(4, 2)),
            ("different layer", RandomStream.For(seed, cell, trial), dom, RandomStream.For(seed, cell, trial), RandomStream.Domain(5, 1)),
            ("cell and trial swapped", RandomStream.For(seed, 1, 2), dom, RandomStream.For(seed, 2, 1), dom),
        };
        foreach (var path in SimdPaths.Supported)
            foreach (var c in cases)
                yield return new TestCaseData(path, c.A, c.DA, c.B, c.DB).SetArgDisplayNames(path.ToString(), c.Name);
    }

    [TestCaseSource(nameof(IndependencePairs))]
    public void DistinctStreamsAreUncorrelated(SimdPath path, RandomStream a, ulong domainA, RandomStream b, ulong domainB)
    {
        var x = new double[NIndep];
        var y = new double[NIndep];
        NormalGenerator.Fill(G(a), domainA, x, path);
        NormalGenerator.Fill(G(b), domainB, y, path);
        Assert.That(x, Is.Not.EqualTo(y));
        double r = GeneratorChecks.Correlation(x, y);
        Assert.That(r, Is.EqualTo(0).Within(4 / Math.Sqrt(NIndep)), $"sample correlation {r:G4}");
    }

    [TestCaseSource(nameof(Paths))]
    public void WithinOneStreamNeighboursAndSinCosHalvesAreUncorrelated(SimdPath path)
    {
        var x = new double[NIndep];
        NormalGenerator.Fill(G(RandomStream.For(9, 3, 1)), RandomStream.Domain(2, 0), x, path);
        int h = NIndep / 2;
        double lag1 = GeneratorChecks.Correlation(x.AsSpan(0, NIndep - 1), x.AsSpan(1, NIndep - 1));
        double halves = GeneratorChecks.Correlation(x.AsSpan(0, h), x.AsSpan(h, h));
        Assert.Multiple(() =>
        {
            Assert.That(lag1, Is.EqualTo(0).Within(4 / Math.Sqrt(NIndep - 1)), "lag-1 correlation");
            Assert.That(halves, Is.EqualTo(0).Within(4 / Math.Sqrt(h)), "correlation of the cos half with the sin half");
        });
    }


    // ---------------------------------------------------------------- cross-path equality

    private static readonly int[] Lengths = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 1001, 4099, 65536 + 5];

    private static IEnumerable<TestCaseData> VectorPathLengths()
    {
        var vectorPaths = SimdPaths.Supported.Where(p => p != SimdPath.Scalar).ToArray();
        if (vectorPaths.Length == 0)
        {
            yield return new TestCaseData(SimdPath.Vector256, 1).Ignore("no vector path is hardware accelerated on this CPU");
            yield break;
        }
        foreach (var p in vectorPaths)
            foreach (var n in Lengths)
                yield return new TestCaseData(p, n);
    }

    [TestCaseSource(nameof(VectorPathLengths))]
    public void VectorPathAgreesWithScalarPath(SimdPath path, int n)
    {
        var streams = new (RandomStream S, ulong D)[]
        {
            (RandomStream.For(0, 0, 0), 0),
            (RandomStream.For(7, 123, 456), RandomStream.Domain(99, 3)),
            (new RandomStream(ulong.MaxValue, ulong.MaxValue), ulong.MaxValue),
        };
        foreach (var (s, d) in streams)
        {
            var scalar = new double[n];
            var vector = new double[n];
            NormalGenerator.Fill(G(s), d, scalar, SimdPath.Scalar);
            NormalGenerator.Fill(G(s), d, vector, path);
            int bad = -1;
            for (int i = 0; i < n; i++)
            {
                if (!(Math.Abs(vector[i] - scalar[i]) <= 1e-12 * Math.Max(1, Math.Abs(scalar[i]))))
                {
                    bad = i;
                    break;
                }
            }
            Assert.That(bad, Is.EqualTo(-1),
                () => $"{path} vs Scalar, n={n}, stream={s}, domain={d}: index {bad}: {vector[bad]:R} vs {scalar[bad]:R}");
        }
    }

    [TestCaseSource(nameof(Paths))]
    public void FillWritesOnlyItsSpanAndIgnoresPriorContent(SimdPath path)
    {
        foreach (var n in Lengths)
        {
            const int pad = 24;
            var buf = new double[n + 2 * pad];
            Array.Fill(buf, double.NaN);
            var fresh = new double[n];
            NormalGenerator.Fill(G(RandomStream.For(5, 6, 7)), 8, buf.AsSpan(pad, n), path);
            NormalGenerator.Fill(G(RandomStream.For(5, 6, 7)), 8, fresh, path);
            Assert.Multiple(() =>
            {
                Assert.That(buf.Take(pad), Has.All.NaN, $"n={n}: wrote before the span");
                Assert.That(buf.Skip(pad + n), Has.All.NaN, $"n={n}: wrote after the span");
                Assert.That(buf.Skip(pad).Take(n), Is.EqualTo(fresh).AsCollection, $"n={n}: result depends on prior content");
            });
        }
    }

    [TestCaseSource(nameof(Paths))]
    public void EmptySpanIsANoOp(SimdPath path)
    {
        Assert.DoesNotThrow(() => NormalGenerator.Fill(G(RandomStream.For(1, 1, 1)), 0, Span<double>.Empty, path));
    }

    // ---------------------------------------------------------------- determinism

    [TestCaseSource(nameof(Paths))]
    public void SameStreamDomainAndLengthGiveIdenticalArrays(SimdPath path)
    {
        foreach (var n in Lengths)
        {
            var a = new double[n];
            var b = new double[n];
            NormalGenerator.Fill(G(RandomStream.For(11, 22, 33)), RandomStream.Domain(44, 5), a, path);
            NormalGenerator.Fill(G(RandomStream.For(11, 22, 33)), RandomStream.Domain(44, 5), b, path);
            Assert.That(b, Is.EqualTo(a).AsCollection, $"n={n}");
        }
    }

    [TestCaseSource(nameof(Paths))]
    public void FillWithSigmaMultipliesExactly(SimdPath path)
    {
        foreach (var sigma in new[] { 0.5, 3.0, Math.Sqrt(2.0 / 512), 1e-3 })
        {
            foreach (var n in new[] { 1, 17, 1000 })
            {
                var z = new double[n];
                var s = new double[n];
                NormalGenerator.Fill(G(RandomStream.For(3, 2, 1)), 4, z, path);
                NormalGenerator.Fill(G(RandomStream.For(3, 2, 1)), 4, s, sigma, path);
                var expected = z.Select(v => v * sigma).ToArray();
                Assert.That(s, Is.EqualTo(expected).AsCollection, $"sigma={sigma}, n={n}");
            }
        }
    }

    [Test]
    public void AutoIsTheBestPath()
    {
        Assert.That(SimdPath.Auto.Resolve(), Is.EqualTo(SimdPaths.Best));
        var auto = new double[1001];
        var best = new double[1001];
        NormalGenerator.Fill(G(RandomStream.For(1, 2, 3)), 4, auto);
        NormalGenerator.Fill(G(RandomStream.For(1, 2, 3)), 4, best, SimdPaths.Best);
        Assert.That(auto, Is.EqualTo(best).AsCollection);
    }

    [Test]
    public void ScalarPathFollowsTheDocumentedBoxMullerLayout()
    {
        if (generator != RandomGenerator.Threefry) Assert.Ignore("the Threefry layout; Philox's is PhiloxNormalsTests'");
        // n = 5: h = 3 counters; out[k] = r cos 2πu2, out[h+k] = r sin 2πu2 (the last sin is dropped).
        var s = RandomStream.For(77, 8, 9);
        ulong domain = RandomStream.Domain(6, 1);
        var x = new double[5];
        NormalGenerator.Fill(s, domain, x, SimdPath.Scalar);
        var expected = new double[5];
        for (int k = 0; k < 3; k++)
        {
            var (b0, b1) = Threefry2x64.Block((ulong)k, domain, s.Seed, s.Key);
            double u1 = ((b0 >> 11) + 1) * Math.Pow(2, -53);
            double u2 = (b1 >> 11) * Math.Pow(2, -53);
            double r = Math.Sqrt(-2 * Math.Log(u1));
            expected[k] = r * Math.Cos(2 * Math.PI * u2);
            if (3 + k < 5) expected[3 + k] = r * Math.Sin(2 * Math.PI * u2);
        }
        Assert.That(x, Is.EqualTo(expected).AsCollection.Within(1e-14));
    }

    [Test]
    public void RandomStreamKeyPacksCellAndTrial()
    {
        var s = RandomStream.For(5, 0x12345678, 0x9abcdef0);
        Assert.Multiple(() =>
        {
            Assert.That(s.Seed, Is.EqualTo(5UL));
            Assert.That(s.Key, Is.EqualTo(0x123456789abcdef0UL));
            Assert.That(RandomStream.Domain(3, 7), Is.EqualTo(0x307UL));
            Assert.That(RandomStream.For(5, 1, 0).Key, Is.Not.EqualTo(RandomStream.For(5, 0, 1).Key));
        });
    }
}
