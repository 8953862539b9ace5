using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace StabilityLab.Randomness;

/// <summary>
/// Philox-4x32-10, the counter-based generator of Salmon et al. (Random123, SC'11) used by JAX,
/// cuRAND, NumPy and PyTorch: a pure function (counter c0..c3, key k0, k1) → 128 random bits.
/// Each round multiplies two counter words by fixed odd constants (32×32→64 bits) and mixes the
/// high halves with the other words and the key; the key is bumped by Weyl constants between rounds.
/// The vector version holds one 32-bit word per 64-bit lane, so the multiply is the widening
/// vpmuludq (AVX-512F or, in halves, AVX2); the upper halves of the lanes carry garbage the multiply ignores, masked at the end.
/// </summary>
public static class Philox4x32
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57; // round multipliers
    private const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85; // key bumps (golden ratio, √3 − 1)
    private const int Rounds = 10;

    /// <summary>One block: counter (c0, c1, c2, c3) under key (k0, k1).</summary>
    /// <summary>
    /// Philox's key (k0, k1) and the counter's top word c3 for a stream: its 128-bit identity (seed, key) hashed once by
    /// Threefry-2x64-20 in <paramref name="keyDomain"/> (each normal transform has its own, so their streams differ).
    /// </summary>
    public static (uint K0, uint K1, uint C3) Key(RandomStream s, ulong keyDomain)
    {
        var (a, b) = Threefry2x64.Block(s.Seed, s.Key, keyDomain, 0);
        return ((uint)a, (uint)(a >> 32), (uint)b);
    }

    public static (uint X0, uint X1, uint X2, uint X3) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int r = 0; r < Rounds; r++)
        {
            if (r > 0) { k0 += W0; k1 += W1; }
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            (c0, c1, c2, c3) = ((uint)(p1 >> 32) ^ c1 ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c3 ^ k1, (uint)p0);
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>
    /// Eight blocks, one per 64-bit lane: only the low 32 bits of each input lane are read, and the
    /// outputs are zero-extended 32-bit words. Without AVX-512 each operation runs as two 256-bit ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(ref Vector512<ulong> c0, ref Vector512<ulong> c1, ref Vector512<ulong> c2, ref Vector512<ulong> c3, uint k0, uint k1)
    {
        var m0 = Vector512.Create((ulong)M0);
        var m1 = Vector512.Create((ulong)M1);
        for (int r = 0; r < Rounds; r++)
        {
            if (r > 0) { k0 += W0; k1 += W1; }
            var p0 = Mul(c0, m0);
            var p1 = Mul(c2, m1);
            var n0 = (p1 >>> 32) ^ c1 ^ Vector512.Create((ulong)k0);
            var n2 = (p0 >>> 32) ^ c3 ^ Vector512.Create((ulong)k1);
            c0 = n0; c1 = p1; c2 = n2; c3 = p0;
        }
        var low = Vector512.Create(0xFFFF_FFFFUL);
        c0 &= low; c1 &= low; c2 &= low; c3 &= low;
    }

    /// <summary>The 10 round keys of key (k0, k1), zero-extended: (k0, k1) of round r at [2r] and [2r + 1].</summary>
    internal static void RoundKeys(uint k0, uint k1, Span<ulong> keys)
    {
        for (int r = 0; r < Rounds; r++)
        {
            keys[2 * r] = k0;
            keys[2 * r + 1] = k1;
            k0 += W0;
            k1 += W1;
        }
    }

    /// <summary>
    /// The same eight blocks as <see cref="Block(ref Vector512{ulong}, ref Vector512{ulong}, ref Vector512{ulong}, ref Vector512{ulong}, uint, uint)"/>,
    /// unrolled, with the round keys read from memory (<see cref="RoundKeys"/>: broadcast from the operand, not from a register)
    /// and each round's two xors fused into one three-way xor: about a third fewer instructions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Block(ref Vector512<ulong> c0, ref Vector512<ulong> c1, ref Vector512<ulong> c2, ref Vector512<ulong> c3, ulong* keys)
    {
        BlockUnmasked(ref c0, ref c1, ref c2, ref c3, keys);
        var low = Vector512.Create(0xFFFF_FFFFUL);
        c0 &= low; c1 &= low; c2 &= low; c3 &= low;
    }

    /// <summary>As <see cref="Block(ref Vector512{ulong}, ref Vector512{ulong}, ref Vector512{ulong}, ref Vector512{ulong}, ulong*)"/>
    /// but the upper halves of the lanes are left as they come (garbage): for callers that read the low 32 bits only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void BlockUnmasked(ref Vector512<ulong> c0, ref Vector512<ulong> c1, ref Vector512<ulong> c2, ref Vector512<ulong> c3, ulong* keys)
    {
        Round(ref c0, ref c1, ref c2, ref c3, keys); Round(ref c0, ref c1, ref c2, ref c3, keys + 2);
        Round(ref c0, ref c1, ref c2, ref c3, keys + 4); Round(ref c0, ref c1, ref c2, ref c3, keys + 6);
        Round(ref c0, ref c1, ref c2, ref c3, keys + 8); Round(ref c0, ref c1, ref c2, ref c3, keys + 10);
        Round(ref c0, ref c1, ref c2, ref c3, keys + 12); Round(ref c0, ref c1, ref c2, ref c3, keys + 14);
        Round(ref c0, ref c1, ref c2, ref c3, keys + 16); Round(ref c0, ref c1, ref c2, ref c3, keys + 18);
    }

    /// <summary>Two sets of eight blocks (<see cref="BlockUnmasked(ref Vector512{ulong}, ref Vector512{ulong}, ref Vector512{ulong}, ref Vector512{ulong}, ulong*)"/>),
    /// round by round: two independent chains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void BlockUnmasked(ref Vector512<ulong> a0, ref Vector512<ulong> a1, ref Vector512<ulong> a2, ref Vector512<ulong> a3,
        ref Vector512<ulong> b0, ref Vector512<ulong> b1, ref Vector512<ulong> b2, ref Vector512<ulong> b3, ulong* keys)
    {
        for (int r = 0; r < 2 * Rounds; r += 2)
        {
            Round(ref a0, ref a1, ref a2, ref a3, keys + r);
            Round(ref b0, ref b1, ref b2, ref b3, keys + r);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Round(ref Vector512<ulong> c0, ref Vector512<ulong> c1, ref Vector512<ulong> c2, ref Vector512<ulong> c3, ulong* key)
    {
        var p0 = Mul(c0, Vector512.Create((ulong)M0));
        var p1 = Mul(c2, Vector512.Create((ulong)M1));
        c0 = Xor3(p1 >>> 32, c1, Vector512.Create(key[0]));
        c2 = Xor3(p0 >>> 32, c3, Vector512.Create(key[1]));
        c1 = p1;
        c3 = p0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Xor3(Vector512<ulong> a, Vector512<ulong> b, Vector512<ulong> c) =>
        Avx512F.IsSupported ? Avx512F.TernaryLogic(a, b, c, 0x96) : a ^ b ^ c;

    // (low 32 bits of a) × m, full 64-bit product per lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Mul(Vector256<ulong> a, Vector256<ulong> m) =>
        Avx2.IsSupported ? Avx2.Multiply(a.AsUInt32(), m.AsUInt32()) : (a & Vector256.Create(0xFFFF_FFFFUL)) * m;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mul(Vector512<ulong> a, Vector512<ulong> m) =>
        Avx512F.IsSupported ? Avx512F.Multiply(a.AsUInt32(), m.AsUInt32())
        : Vector512.Create(Mul(a.GetLower(), m.GetLower()), Mul(a.GetUpper(), m.GetUpper()));
}
