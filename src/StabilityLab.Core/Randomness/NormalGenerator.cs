using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StabilityLab.Randomness;

/// <summary>
/// Standard normals of a <see cref="RandomStream"/> by the Box–Muller transform on the bits of the
/// stream's generator. <see cref="RandomGenerator.Philox"/>: see <see cref="PhiloxNormals"/> (the same
/// bits on every path and CPU). <see cref="RandomGenerator.Threefry"/> (the layout of runs before Philox):
/// for a request of n values and h = ⌈n/2⌉ counters k = 0..h−1 in the given domain:
/// u1 = (bits0 ≫ 11 + 1)·2⁻⁵³ ∈ (0, 1], u2 = (bits1 ≫ 11)·2⁻⁵³, r = √(−2 ln u1),
/// out[k] = r cos 2πu2, out[h+k] = r sin 2πu2. Values are a pure function of (stream, domain, n).
/// All paths produce the same bits; the vector paths' log/sin/cos may differ from Math's in the
/// last bits, so one process uses one path throughout (<see cref="SimdPath.Auto"/>).
/// </summary>
public static class NormalGenerator
{
    private const double TwoPow53Inv = 1.0 / 9007199254740992.0;

    /// <summary>Fills <paramref name="dest"/> with standard normals of (stream, domain).</summary>
    public static void Fill(RandomStream stream, ulong domain, Span<double> dest, SimdPath path = SimdPath.Auto)
    {
        if (stream.Generator == RandomGenerator.PhiloxZiggurat)
        {
            PhiloxZiggurat.Fill(stream, domain, dest, path);
            return;
        }
        if (stream.Generator == RandomGenerator.Philox)
        {
            PhiloxNormals.Fill(stream, domain, dest, path);
            return;
        }
        switch (path.Resolve())
        {
            case SimdPath.Vector512: Fill512(stream, domain, dest); break;
            case SimdPath.Vector256: Fill256(stream, domain, dest); break;
            default: FillScalar(stream, domain, dest); break;
        }
    }

    /// <summary>Fills with N(0, σ²) values: the standard normals of <see cref="Fill(RandomStream, ulong, Span{double}, SimdPath)"/> times σ.</summary>
    public static void Fill(RandomStream stream, ulong domain, Span<double> dest, double sigma, SimdPath path = SimdPath.Auto)
    {
        Fill(stream, domain, dest, path);
        System.Numerics.Tensors.TensorPrimitives.Multiply(dest, sigma, dest);
    }

    private static void FillScalar(RandomStream s, ulong domain, Span<double> dest)
    {
        int n = dest.Length, h = (n + 1) / 2;
        for (int k = 0; k < h; k++)
        {
            var (b0, b1) = Threefry2x64.Block((ulong)k, domain, s.Seed, s.Key);
            double u1 = ((b0 >> 11) + 1) * TwoPow53Inv;
            double u2 = (b1 >> 11) * TwoPow53Inv;
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            var (sin, cos) = Math.SinCos(2.0 * Math.PI * u2);
            dest[k] = r * cos;
            if (h + k < n) dest[h + k] = r * sin;
        }
    }

    private static void Fill512(RandomStream s, ulong domain, Span<double> dest)
    {
        int n = dest.Length, h = (n + 1) / 2;
        var lane = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        Span<double> tail = stackalloc double[16];
        for (int k = 0; k < h; k += 8)
        {
            Threefry2x64.Block(lane + Vector512.Create((ulong)k), domain, s.Seed, s.Key, out var b0, out var b1);
            Transform(b0, b1, out var c, out var sn);
            StorePair(c, sn, dest, tail, k, h);
        }
    }

    private static void Fill256(RandomStream s, ulong domain, Span<double> dest)
    {
        int n = dest.Length, h = (n + 1) / 2;
        var lane = Vector256.Create(0UL, 1, 2, 3);
        Span<double> tail = stackalloc double[8];
        for (int k = 0; k < h; k += 4)
        {
            Threefry2x64.Block(lane + Vector256.Create((ulong)k), domain, s.Seed, s.Key, out var b0, out var b1);
            Transform(b0, b1, out var c, out var sn);
            if (k + 4 <= h && h + k + 4 <= n)
            {
                c.StoreUnsafe(ref dest[k]);
                sn.StoreUnsafe(ref dest[h + k]);
            }
            else
            {
                c.StoreUnsafe(ref tail[0]);
                sn.StoreUnsafe(ref tail[4]);
                CopyTail(tail, dest, k, h, n, 4);
            }
        }
    }

    /// <summary>Stores 8 cosines at dest[k..] and 8 sines at dest[h + k..] (h = ⌈n/2⌉), through <paramref name="tail"/>
    /// (16 doubles) where the block runs past the end of either half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StorePair(Vector512<double> c, Vector512<double> sn, Span<double> dest, Span<double> tail, int k, int h)
    {
        int n = dest.Length;
        if (k + 8 <= h && h + k + 8 <= n)
        {
            c.StoreUnsafe(ref dest[k]);
            sn.StoreUnsafe(ref dest[h + k]);
        }
        else
        {
            c.StoreUnsafe(ref tail[0]);
            sn.StoreUnsafe(ref tail[8]);
            CopyTail(tail, dest, k, h, n, 8);
        }
    }

    // Copies the lanes of a partial final vector: tail[0..w) are cos values for counters k..k+w,
    // tail[w..2w) the sin values.
    internal static void CopyTail(ReadOnlySpan<double> tail, Span<double> dest, int k, int h, int n, int w)
    {
        for (int j = 0; j < w && k + j < h; j++)
        {
            dest[k + j] = tail[j];
            if (h + k + j < n) dest[h + k + j] = tail[w + j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transform(Vector512<ulong> b0, Vector512<ulong> b1, out Vector512<double> cos, out Vector512<double> sin)
    {
        var scale = Vector512.Create(TwoPow53Inv);
        var u1 = Vector512.ConvertToDouble((b0 >>> 11) + Vector512<ulong>.One) * scale;
        var u2 = Vector512.ConvertToDouble(b1 >>> 11) * scale;
        var r = Vector512.Sqrt(Vector512.Create(-2.0) * Vector512.Log(u1));
        (sin, cos) = Vector512.SinCos(Vector512.Create(2.0 * Math.PI) * u2);
        sin *= r;
        cos *= r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transform(Vector256<ulong> b0, Vector256<ulong> b1, out Vector256<double> cos, out Vector256<double> sin)
    {
        var scale = Vector256.Create(TwoPow53Inv);
        var u1 = Vector256.ConvertToDouble((b0 >>> 11) + Vector256<ulong>.One) * scale;
        var u2 = Vector256.ConvertToDouble(b1 >>> 11) * scale;
        var r = Vector256.Sqrt(Vector256.Create(-2.0) * Vector256.Log(u1));
        (sin, cos) = Vector256.SinCos(Vector256.Create(2.0 * Math.PI) * u2);
        sin *= r;
        cos *= r;
    }
}
