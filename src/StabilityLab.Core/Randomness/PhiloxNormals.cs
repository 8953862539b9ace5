using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StabilityLab.Randomness;

/// <summary>
/// Standard normals of a <see cref="RandomGenerator.Philox"/> stream. The stream's 128-bit identity
/// (seed, key) is hashed once by Threefry-2x64-20 into Philox's key (k0, k1) and the counter's top word
/// c3 (96 bits: distinct streams collide with probability below N²/2⁹⁷); draw k of a domain is the
/// block of counter (k, domain low 32 bits, domain high 32 bits, c3). For a request of n values and
/// h = ⌈n/2⁠⌉ draws k = 0..h−1, with w1 = (x1·2³² + x0) ≫ 12 and w2 = (x3·2³² + x2) ≫ 12,
/// out[k] = ρ cos 2πu2 and out[h+k] = ρ sin 2πu2 (<see cref="PortableMath.BoxMuller(ulong, ulong)"/>).
/// The scalar and vector paths give the same bits, on every CPU.
/// </summary>
internal static class PhiloxNormals
{
    private const ulong KeyDomain = 0x5048_494C_4F58_4B45; // "PHILOXKE": the Threefry domain of the key hash

    /// <summary>Philox's key and the counter's top word for a stream.</summary>
    public static (uint K0, uint K1, uint C3) Key(RandomStream s) => Philox4x32.Key(s, KeyDomain);

    public static void Fill(RandomStream stream, ulong domain, Span<double> dest, SimdPath path)
    {
        // Both vector paths run the 8-lane code (PortableMath: one width for every CPU).
        if (path.Resolve() == SimdPath.Scalar) FillScalar(stream, domain, dest);
        else Fill512(stream, domain, dest);
    }

    private static void FillScalar(RandomStream s, ulong domain, Span<double> dest)
    {
        var (k0, k1, c3) = Key(s);
        int n = dest.Length, h = (n + 1) / 2;
        for (int k = 0; k < h; k++)
        {
            var (x0, x1, x2, x3) = Philox4x32.Block((uint)k, (uint)domain, (uint)(domain >> 32), c3, k0, k1);
            var (cos, sin) = PortableMath.BoxMuller((((ulong)x1 << 32) | x0) >> 12, (((ulong)x3 << 32) | x2) >> 12);
            dest[k] = cos;
            if (h + k < n) dest[h + k] = sin;
        }
    }

    private static void Fill512(RandomStream s, ulong domain, Span<double> dest)
    {
        var (k0, k1, c3) = Key(s);
        int n = dest.Length, h = (n + 1) / 2;
        var lane = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        var d0 = Vector512.Create((ulong)(uint)domain);
        var d1 = Vector512.Create(domain >> 32);
        var top = Vector512.Create((ulong)c3);
        Span<double> tail = stackalloc double[16];
        for (int k = 0; k < h; k += 8)
        {
            var x0 = lane + Vector512.Create((ulong)k);
            var x1 = d0;
            var x2 = d1;
            var x3 = top;
            Philox4x32.Block(ref x0, ref x1, ref x2, ref x3, k0, k1);
            PortableMath.BoxMuller(((x1 << 32) | x0) >>> 12, ((x3 << 32) | x2) >>> 12, out var c, out var sn);
            NormalGenerator.StorePair(c, sn, dest, tail, k, h);
        }
    }
}
