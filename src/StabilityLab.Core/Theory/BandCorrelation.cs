using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StabilityLab.Theory;

/// <summary>
/// The one inner loop of density evolution (<see cref="DensityEvolution"/>) and of its transposes
/// (<see cref="FiniteWidthBackward"/>, <see cref="FiniteWidthBackwardVariance"/>): a banded Gaussian correlation
/// dst[t] ← dst[t] + Σ_{d=−B..B} w(d)·src[t + shift + dir·d], terms summed in the order d = −B, …, B, src zero outside
/// its range. Each term is a product rounded and then added (no fused multiply-add), in the same order as the per-tap
/// sweep <see cref="AddPerTap"/> it replaces, so both give the same bits; the fast path keeps 32 outputs in registers
/// across all taps instead of streaming the whole output once per tap.
/// </summary>
internal static class BandCorrelation
{
    /// <summary>
    /// Gaussian taps c[d] = ϕ(d·h/σ)/σ for d = 0..band (shared: callers only read them). Every layer's taps are asked for
    /// by the forward step and again by each of its transposes (docs/finite-width.md §8), so they are memoized by
    /// (h, σ, band): the same bits, one set of exponentials per layer instead of seven.
    /// </summary>
    public static double[] GaussianTaps(double h, double sigma, int band)
    {
        var key = (h, sigma, band);
        if (TapMemo.TryGetValue(key, out var known)) return known;
        var c = new double[band + 1];
        for (int d = 0; d <= band; d++) c[d] = StdNormal.Pdf(d * h / sigma) / sigma;
        // Bounded: emptied when it holds more than MemoDoubles taps (a value is a pure function of its key, so a race
        // between two threads stores the same numbers).
        if (Interlocked.Add(ref _memoDoubles, c.Length) > MemoDoubles)
        {
            TapMemo.Clear();
            Interlocked.Exchange(ref _memoDoubles, c.Length);
        }
        TapMemo[key] = c;
        return c;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(double, double, int), double[]> TapMemo = new();

    /// <summary>At most this many taps are memoized (8 MB; a cell of 4096 layers at 29 taps each holds 1.2·10⁵).</summary>
    private const long MemoDoubles = 1 << 20;

    private static long _memoDoubles;

    /// <summary>w(d) for d = −band..band (index d + band): c[|d|], or c[|d|]·d·h/σ when <paramref name="odd"/> (E[ξ·…]).</summary>
    public static double[] Kernel(double[] c, bool odd, double h, double sigma)
    {
        int band = c.Length - 1;
        var w = new double[2 * band + 1];
        for (int d = -band; d <= band; d++) w[d + band] = odd ? c[Math.Abs(d)] * d * h / sigma : c[Math.Abs(d)];
        return w;
    }

    /// <summary>dst[t] += Σ_d w[d + B]·src[t + shift + dir·d], d ascending (dir = ±1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<double> src, int shift, int dir, ReadOnlySpan<double> w, Span<double> dst)
    {
        int n = dst.Length, band = (w.Length - 1) / 2;
        if (n == 0) return;
        // Zero-padded copy: p[i] = src[i + lo], covering every index t + shift ± d the sum touches.
        int len = n + 2 * band, lo = shift - band;
        double[] rented = ArrayPool<double>.Shared.Rent(len);
        try
        {
            var p = rented.AsSpan(0, len);
            p.Clear();
            int iFrom = Math.Max(0, -lo), iTo = Math.Min(len, src.Length - lo);
            if (iFrom < iTo) src.Slice(iFrom + lo, iTo - iFrom).CopyTo(p.Slice(iFrom));
            // Term d of output t reads p[t + band + dir·d]; for d = −B..B that is p[start + t + dir·(i)], i = 0..2B,
            // with start = band − dir·band (0 for dir = 1, 2B for dir = −1). The vector loops below keep 32 outputs in registers
            // across all taps instead of streaming the whole output once per tap.
            int start = dir > 0 ? 0 : 2 * band;
            ref double pr = ref MemoryMarshal.GetReference(p);
            ref double dr = ref MemoryMarshal.GetReference(dst);
            ref double wr = ref MemoryMarshal.GetReference(w);
            int t = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                // 8 independent accumulators (64 outputs) hide the add latency.
                for (; t + 64 <= n; t += 64)
                {
                    var a0 = Vector512.LoadUnsafe(ref dr, (nuint)t);
                    var a1 = Vector512.LoadUnsafe(ref dr, (nuint)(t + 8));
                    var a2 = Vector512.LoadUnsafe(ref dr, (nuint)(t + 16));
                    var a3 = Vector512.LoadUnsafe(ref dr, (nuint)(t + 24));
                    var a4 = Vector512.LoadUnsafe(ref dr, (nuint)(t + 32));
                    var a5 = Vector512.LoadUnsafe(ref dr, (nuint)(t + 40));
                    var a6 = Vector512.LoadUnsafe(ref dr, (nuint)(t + 48));
                    var a7 = Vector512.LoadUnsafe(ref dr, (nuint)(t + 56));
                    ref double pj = ref Unsafe.Add(ref pr, start + t);
                    for (int i = 0; i < w.Length; i++, pj = ref Unsafe.Add(ref pj, dir))
                    {
                        var c = Vector512.Create(Unsafe.Add(ref wr, i));
                        a0 += Vector512.LoadUnsafe(ref pj) * c;
                        a1 += Vector512.LoadUnsafe(ref pj, 8) * c;
                        a2 += Vector512.LoadUnsafe(ref pj, 16) * c;
                        a3 += Vector512.LoadUnsafe(ref pj, 24) * c;
                        a4 += Vector512.LoadUnsafe(ref pj, 32) * c;
                        a5 += Vector512.LoadUnsafe(ref pj, 40) * c;
                        a6 += Vector512.LoadUnsafe(ref pj, 48) * c;
                        a7 += Vector512.LoadUnsafe(ref pj, 56) * c;
                    }
                    a0.StoreUnsafe(ref dr, (nuint)t);
                    a1.StoreUnsafe(ref dr, (nuint)(t + 8));
                    a2.StoreUnsafe(ref dr, (nuint)(t + 16));
                    a3.StoreUnsafe(ref dr, (nuint)(t + 24));
                    a4.StoreUnsafe(ref dr, (nuint)(t + 32));
                    a5.StoreUnsafe(ref dr, (nuint)(t + 40));
                    a6.StoreUnsafe(ref dr, (nuint)(t + 48));
                    a7.StoreUnsafe(ref dr, (nuint)(t + 56));
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                // 8 independent accumulators (32 outputs) hide the add latency; then 4 outputs at a time.
                for (; t + 32 <= n; t += 32)
                {
                    var a0 = Vector256.LoadUnsafe(ref dr, (nuint)t);
                    var a1 = Vector256.LoadUnsafe(ref dr, (nuint)(t + 4));
                    var a2 = Vector256.LoadUnsafe(ref dr, (nuint)(t + 8));
                    var a3 = Vector256.LoadUnsafe(ref dr, (nuint)(t + 12));
                    var a4 = Vector256.LoadUnsafe(ref dr, (nuint)(t + 16));
                    var a5 = Vector256.LoadUnsafe(ref dr, (nuint)(t + 20));
                    var a6 = Vector256.LoadUnsafe(ref dr, (nuint)(t + 24));
                    var a7 = Vector256.LoadUnsafe(ref dr, (nuint)(t + 28));
                    ref double pj = ref Unsafe.Add(ref pr, start + t);
                    for (int i = 0; i < w.Length; i++, pj = ref Unsafe.Add(ref pj, dir))
                    {
                        var c = Vector256.Create(Unsafe.Add(ref wr, i));
                        a0 += Vector256.LoadUnsafe(ref pj) * c;
                        a1 += Vector256.LoadUnsafe(ref pj, 4) * c;
                        a2 += Vector256.LoadUnsafe(ref pj, 8) * c;
                        a3 += Vector256.LoadUnsafe(ref pj, 12) * c;
                        a4 += Vector256.LoadUnsafe(ref pj, 16) * c;
                        a5 += Vector256.LoadUnsafe(ref pj, 20) * c;
                        a6 += Vector256.LoadUnsafe(ref pj, 24) * c;
                        a7 += Vector256.LoadUnsafe(ref pj, 28) * c;
                    }
                    a0.StoreUnsafe(ref dr, (nuint)t);
                    a1.StoreUnsafe(ref dr, (nuint)(t + 4));
                    a2.StoreUnsafe(ref dr, (nuint)(t + 8));
                    a3.StoreUnsafe(ref dr, (nuint)(t + 12));
                    a4.StoreUnsafe(ref dr, (nuint)(t + 16));
                    a5.StoreUnsafe(ref dr, (nuint)(t + 20));
                    a6.StoreUnsafe(ref dr, (nuint)(t + 24));
                    a7.StoreUnsafe(ref dr, (nuint)(t + 28));
                }
                for (; t + 4 <= n; t += 4)
                {
                    var a0 = Vector256.LoadUnsafe(ref dr, (nuint)t);
                    ref double pj = ref Unsafe.Add(ref pr, start + t);
                    for (int i = 0; i < w.Length; i++, pj = ref Unsafe.Add(ref pj, dir))
                        a0 += Vector256.LoadUnsafe(ref pj) * Vector256.Create(Unsafe.Add(ref wr, i));
                    a0.StoreUnsafe(ref dr, (nuint)t);
                }
            }
            for (; t < n; t++)
            {
                double acc = Unsafe.Add(ref dr, t);
                int j = start + t;
                for (int i = 0; i < w.Length; i++, j += dir) acc += Unsafe.Add(ref pr, j) * Unsafe.Add(ref wr, i);
                Unsafe.Add(ref dr, t) = acc;
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The same sum as <see cref="Add"/>, one vectorized sweep of dst per tap (the loop the theory used before,
    /// kept as the reference the fast path is tested against).
    /// </summary>
    public static void AddPerTap(ReadOnlySpan<double> src, int shift, int dir, ReadOnlySpan<double> w, Span<double> dst)
    {
        int n = dst.Length, band = (w.Length - 1) / 2;
        for (int d = -band; d <= band; d++)
        {
            // t + shift + dir·d ∈ [0, src.Length) ⇔ t ∈ [−shift − dir·d, src.Length − shift − dir·d).
            int off = shift + dir * d;
            int tMin = Math.Max(0, -off), tMax = Math.Min(n - 1, src.Length - 1 - off);
            if (tMin > tMax) continue;
            var part = dst.Slice(tMin, tMax - tMin + 1);
            TensorPrimitives.MultiplyAdd(src.Slice(tMin + off, part.Length), w[d + band], part, part);
        }
    }
}
