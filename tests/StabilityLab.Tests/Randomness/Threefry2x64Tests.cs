using System.Runtime.Intrinsics;
using NUnit.Framework;
using StabilityLab.Randomness;

namespace StabilityLab.Tests.Randomness;

/// <summary>
/// Threefry-2x64-20 against the Random123 known-answer vectors (kat_vectors, threefry2x64 20 rounds),
/// and the Vector512/Vector256 overloads against the scalar one lane by lane.
/// </summary>
[TestFixture]
public sealed class Threefry2x64Tests
{
    private const ulong Ones = ulong.MaxValue;

    // Random123 kat_vectors: "threefry2x64 20 ctr0 ctr1 key0 key1 -> out0 out1".
    [TestCase(0UL, 0UL, 0UL, 0UL, 0xc2b6e3a8c2c69865UL, 0x6f81ed42f350084dUL, TestName = "KAT zeros")]
    [TestCase(Ones, Ones, Ones, Ones, 0xe02cb7c4d95d277aUL, 0xd06633d0893b8b68UL, TestName = "KAT all ones")]
    [TestCase(0x243f6a8885a308d3UL, 0x13198a2e03707344UL, 0xa4093822299f31d0UL, 0x082efa98ec4e6c89UL,
        0x263c7d30bb0f0af1UL, 0x56be8361d3311526UL, TestName = "KAT pi digits")]
    public void ScalarBlockMatchesRandom123KnownAnswers(ulong c0, ulong c1, ulong k0, ulong k1, ulong x0, ulong x1)
    {
        var (y0, y1) = Threefry2x64.Block(c0, c1, k0, k1);
        Assert.Multiple(() =>
        {
            Assert.That(y0, Is.EqualTo(x0), $"X0 = 0x{y0:x16}, expected 0x{x0:x16}");
            Assert.That(y1, Is.EqualTo(x1), $"X1 = 0x{y1:x16}, expected 0x{x1:x16}");
        });
    }

    [Test]
    public void ScalarBlockIsSensitiveToEveryInput()
    {
        var baseline = Threefry2x64.Block(1, 2, 3, 4);
        Assert.Multiple(() =>
        {
            Assert.That(Threefry2x64.Block(0, 2, 3, 4), Is.Not.EqualTo(baseline));
            Assert.That(Threefry2x64.Block(1, 3, 3, 4), Is.Not.EqualTo(baseline));
            Assert.That(Threefry2x64.Block(1, 2, 2, 4), Is.Not.EqualTo(baseline));
            Assert.That(Threefry2x64.Block(1, 2, 3, 5), Is.Not.EqualTo(baseline));
            Assert.That(Threefry2x64.Block(1, 2, 3, 4), Is.EqualTo(baseline));
        });
    }

    [Test]
    public void Vector512BlockMatchesScalarLaneByLane()
    {
        if (!Vector512.IsHardwareAccelerated)
            Assert.Ignore("Vector512 is not hardware accelerated on this CPU; the Vector512 overload is not used here");
        AssertLanesMatchScalar(8, 2000, 20240512, (c0, c1, k0, k1) =>
        {
            Threefry2x64.Block(Vector512.Create<ulong>(c0), c1, k0, k1, out var x0, out var x1);
            return (j => x0[j], j => x1[j]);
        });
    }

    [Test]
    public void Vector256BlockMatchesScalarLaneByLane()
    {
        if (!Vector256.IsHardwareAccelerated)
            Assert.Ignore("Vector256 is not hardware accelerated on this CPU; the Vector256 overload is not used here");
        AssertLanesMatchScalar(4, 4000, 20240256, (c0, c1, k0, k1) =>
        {
            Threefry2x64.Block(Vector256.Create<ulong>(c0), c1, k0, k1, out var x0, out var x1);
            return (j => x0[j], j => x1[j]);
        });
    }

    /// <summary>
    /// Runs a vector overload on random counters and keys and compares every lane with the scalar
    /// block; reports the first mismatching lane.
    /// </summary>
    private static void AssertLanesMatchScalar(int lanes, int iterations, int seed,
        Func<ulong[], ulong, ulong, ulong, (Func<int, ulong> X0, Func<int, ulong> X1)> vectorBlock)
    {
        var rng = new System.Random(seed);
        var c0 = new ulong[lanes];
        int mismatches = 0;
        string first = "";
        for (int iter = 0; iter < iterations; iter++)
        {
            for (int j = 0; j < lanes; j++) c0[j] = Next(rng, iter, j);
            ulong c1 = Next(rng, iter, lanes), k0 = Next(rng, iter, lanes + 1), k1 = Next(rng, iter, lanes + 2);
            var (x0, x1) = vectorBlock(c0, c1, k0, k1);
            for (int j = 0; j < lanes; j++)
            {
                var (e0, e1) = Threefry2x64.Block(c0[j], c1, k0, k1);
                if (x0(j) != e0 || x1(j) != e1)
                {
                    if (mismatches++ == 0)
                        first = $"iter {iter} lane {j}: c0=0x{c0[j]:x16} c1=0x{c1:x16} k=(0x{k0:x16},0x{k1:x16}) " +
                                $"vector=(0x{x0(j):x16},0x{x1(j):x16}) scalar=(0x{e0:x16},0x{e1:x16})";
                }
            }
        }
        Assert.That(mismatches, Is.Zero, first);
    }

    // Random 64-bit words, with the first iterations forced to edge values (0, all ones, small counters).
    private static ulong Next(System.Random rng, int iter, int slot) => iter switch
    {
        0 => 0UL,
        1 => Ones,
        2 => (ulong)slot,
        3 => Ones - (ulong)slot,
        _ => (ulong)rng.NextInt64() ^ ((ulong)rng.Next(2) << 63),
    };
}
