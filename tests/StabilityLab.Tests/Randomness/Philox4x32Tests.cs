using System.Runtime.Intrinsics;
using NUnit.Framework;
using StabilityLab.Randomness;

namespace StabilityLab.Tests.Randomness;

/// <summary>
/// Philox-4x32-10 against the Random123 known-answer vectors (tests/kat_vectors, "philox4x32 10"),
/// and the Vector512 overload against the scalar block lane by lane (whatever the CPU
/// accelerates: without AVX-512 it runs as 256-bit halves, which must agree too).
/// </summary>
[TestFixture]
public sealed class Philox4x32Tests
{
    // Random123 kat_vectors: "philox4x32 10 ctr0 ctr1 ctr2 ctr3 key0 key1 -> out0 out1 out2 out3".
    [TestCase(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u, TestName = "KAT zeros")]
    [TestCase(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
        0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu, TestName = "KAT all ones")]
    [TestCase(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u,
        0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u, TestName = "KAT pi digits")]
    public void ScalarBlockMatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1,
        uint x0, uint x1, uint x2, uint x3)
    {
        Assert.That(Philox4x32.Block(c0, c1, c2, c3, k0, k1), Is.EqualTo((x0, x1, x2, x3)));
    }

    [Test]
    public void VectorBlockMatchesScalarLaneByLane()
    {
        var rng = new System.Random(20240432);
        int mismatches = 0;
        string first = "";
        for (int iter = 0; iter < 2000; iter++)
        {
            var c = new ulong[4][];
            for (int w = 0; w < 4; w++)
            {
                c[w] = new ulong[8];
                // Garbage in the upper halves must be ignored; the first iterations use edge words.
                for (int j = 0; j < 8; j++)
                    c[w][j] = iter switch { 0 => 0, 1 => uint.MaxValue, _ => (ulong)rng.NextInt64() };
            }
            uint k0 = iter == 1 ? uint.MaxValue : (uint)rng.Next(), k1 = iter == 1 ? uint.MaxValue : (uint)rng.Next() * 2u;
            var v0 = Vector512.Create(c[0]); var v1 = Vector512.Create(c[1]); var v2 = Vector512.Create(c[2]); var v3 = Vector512.Create(c[3]);
            Philox4x32.Block(ref v0, ref v1, ref v2, ref v3, k0, k1);
            for (int j = 0; j < 8; j++)
            {
                var e = Philox4x32.Block((uint)c[0][j], (uint)c[1][j], (uint)c[2][j], (uint)c[3][j], k0, k1);
                var got512 = ((uint)v0[j], (uint)v1[j], (uint)v2[j], (uint)v3[j]);
                bool upperClear = (v0[j] | v1[j] | v2[j] | v3[j]) >> 32 == 0;
                bool ok = got512 == e && upperClear;
                if (!ok && mismatches++ == 0) first = $"iter {iter} lane {j}: scalar {e}, Vector512 {got512}";
            }
        }
        Assert.That(mismatches, Is.Zero, first);
    }
}
