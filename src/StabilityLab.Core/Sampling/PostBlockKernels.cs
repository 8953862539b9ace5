using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StabilityLab.Sampling;

/// <summary>
/// Fused single-pass loops for the paper's post block with a positively homogeneous φ (ReLU or
/// identity), the hot path of every sweep. Each loop reads its vectors once, so a layer costs one
/// pass forward and two backward instead of a dozen separate vector operations.
/// Vectors are stored unnormalized; callers pass 1/‖x‖ so the math is that of docs/science.md §4
/// on unit vectors. Sums use the 8 logical accumulators of <see cref="FixedOrderSums"/> (the same bits on every CPU).
/// </summary>
internal static class PostBlockKernels
{
    /// <summary>x = φ(xp·inv + c·z); returns ‖x‖².</summary>
    public static double Forward(ReadOnlySpan<double> xp, double inv, ReadOnlySpan<double> z, double c, bool relu, Span<double> x)
    {
        int n = x.Length, k = 0;
        var acc = Vector512<double>.Zero;
        var vInv = Vector512.Create(inv);
        var vc = Vector512.Create(c);
        ref double rxp = ref Unsafe.AsRef(in xp[0]);
        ref double rz = ref Unsafe.AsRef(in z[0]);
        ref double rx = ref x[0];
        for (; k + 8 <= n; k += 8)
        {
            var pre = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rz, (nuint)k), vc, Vector512.LoadUnsafe(ref rxp, (nuint)k) * vInv);
            if (relu) pre = Vector512.Max(pre, Vector512<double>.Zero);
            pre.StoreUnsafe(ref rx, (nuint)k);
            acc = Vector512.FusedMultiplyAdd(pre, pre, acc);
        }
        double s = FixedOrderSums.Combine(acc);
        for (; k < n; k++)
        {
            double pre = Math.FusedMultiplyAdd(z[k], c, xp[k] * inv);
            if (relu && pre < 0) pre = 0;
            x[k] = pre;
            s = Math.FusedMultiplyAdd(pre, pre, s);
        }
        return s;
    }

    /// <summary>
    /// First backward pass. With v = g·ginv (g carries the ReLU mask D already: <see cref="BackwardUpdate"/>):
    /// returns ‖v‖², zᵀv and xpᵀz̃.
    /// </summary>
    public static (double Nv2, double Zv, double Xzt) BackwardReduce(ReadOnlySpan<double> xp, ReadOnlySpan<double> z,
        ReadOnlySpan<double> zt, ReadOnlySpan<double> g, double ginv)
    {
        if (xp.Length != g.Length || z.Length != g.Length || zt.Length != g.Length) throw new ArgumentException("rows differ in length");
        int n = g.Length, k = 0;
        var aNv = Vector512<double>.Zero;
        var aZv = Vector512<double>.Zero;
        var aXz = Vector512<double>.Zero;
        var vg = Vector512.Create(ginv);
        ref double rxp = ref MemoryMarshal.GetReference(xp);
        ref double rz = ref MemoryMarshal.GetReference(z);
        ref double rzt = ref MemoryMarshal.GetReference(zt);
        ref double rg = ref MemoryMarshal.GetReference(g);
        for (; k + 8 <= n; k += 8)
        {
            var v = Vector512.LoadUnsafe(ref rg, (nuint)k) * vg;
            aNv = Vector512.FusedMultiplyAdd(v, v, aNv);
            aZv = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rz, (nuint)k), v, aZv);
            aXz = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rxp, (nuint)k), Vector512.LoadUnsafe(ref rzt, (nuint)k), aXz);
        }
        double nv = FixedOrderSums.Combine(aNv), zv = FixedOrderSums.Combine(aZv), xz = FixedOrderSums.Combine(aXz);
        for (; k < n; k++)
        {
            double v = g[k] * ginv;
            nv = Math.FusedMultiplyAdd(v, v, nv);
            zv = Math.FusedMultiplyAdd(z[k], v, zv);
            xz = Math.FusedMultiplyAdd(xp[k], zt[k], xz);
        }
        return (nv, zv, xz);
    }

    /// <summary>
    /// g ← D g, D = 1[x &gt; 0] (ReLU; x = φ(pre) is positive exactly where pre is): the mask of the layer whose output x
    /// is, applied once to the gradient it multiplies (<see cref="BackwardUpdate"/>).
    /// </summary>
    public static void Mask(ReadOnlySpan<double> x, Span<double> g)
    {
        if (x.Length != g.Length) throw new ArgumentException("rows differ in length");
        int n = g.Length, k = 0;
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double rg = ref MemoryMarshal.GetReference(g);
        for (; k + 8 <= n; k += 8)
        {
            var on = Vector512.GreaterThan(Vector512.LoadUnsafe(ref rx, (nuint)k), Vector512<double>.Zero);
            Vector512.ConditionalSelect(on, Vector512.LoadUnsafe(ref rg, (nuint)k), Vector512<double>.Zero).StoreUnsafe(ref rg, (nuint)k);
        }
        for (; k < n; k++)
            if (!(x[k] > 0)) g[k] = 0;
    }

    /// <summary>
    /// Second backward pass, in place: r = v + a·z̃ + b·xp with v = g·ginv as above; returns ‖r‖² and stores g ← r, or
    /// for ReLU g ← D′ r with D′ = 1[xp &gt; 0], the mask of the layer below, so that its passes read v = g·ginv directly
    /// (the same values as masking there: 0·ginv = 0).
    /// </summary>
    public static double BackwardUpdate(ReadOnlySpan<double> xp, ReadOnlySpan<double> zt, Span<double> g, double ginv, bool relu, double a, double b)
    {
        if (xp.Length != g.Length || zt.Length != g.Length) throw new ArgumentException("rows differ in length");
        int n = g.Length, k = 0;
        var acc = Vector512<double>.Zero;
        var vg = Vector512.Create(ginv);
        var va = Vector512.Create(a);
        var vb = Vector512.Create(b);
        ref double rxp = ref MemoryMarshal.GetReference(xp);
        ref double rzt = ref MemoryMarshal.GetReference(zt);
        ref double rg = ref MemoryMarshal.GetReference(g);
        for (; k + 8 <= n; k += 8)
        {
            var x = Vector512.LoadUnsafe(ref rxp, (nuint)k);
            var v = Vector512.LoadUnsafe(ref rg, (nuint)k) * vg;
            var r = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rzt, (nuint)k), va, Vector512.FusedMultiplyAdd(x, vb, v));
            acc = Vector512.FusedMultiplyAdd(r, r, acc);
            if (relu) r = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<double>.Zero), r, Vector512<double>.Zero);
            r.StoreUnsafe(ref rg, (nuint)k);
        }
        double s = FixedOrderSums.Combine(acc);
        for (; k < n; k++)
        {
            double r = Math.FusedMultiplyAdd(zt[k], a, Math.FusedMultiplyAdd(xp[k], b, g[k] * ginv));
            s = Math.FusedMultiplyAdd(r, r, s);
            g[k] = relu && !(xp[k] > 0) ? 0 : r;
        }
        return s;
    }
}
