using System.Runtime.CompilerServices;
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
    /// First backward pass. With ĥ = xp·inv, pre = ĥ + c z and v = D g·ginv (D = 1[pre &gt; 0] for ReLU):
    /// returns ‖v‖², zᵀv and ĥᵀz̃ (times 1/inv, i.e. xpᵀz̃).
    /// </summary>
    public static (double Nv2, double Zv, double Xzt) BackwardReduce(ReadOnlySpan<double> xp, double inv, ReadOnlySpan<double> z, double c,
        ReadOnlySpan<double> zt, ReadOnlySpan<double> g, double ginv, bool relu)
    {
        int n = g.Length, k = 0;
        var aNv = Vector512<double>.Zero;
        var aZv = Vector512<double>.Zero;
        var aXz = Vector512<double>.Zero;
        var vInv = Vector512.Create(inv);
        var vc = Vector512.Create(c);
        var vg = Vector512.Create(ginv);
        ref double rxp = ref Unsafe.AsRef(in xp[0]);
        ref double rz = ref Unsafe.AsRef(in z[0]);
        ref double rzt = ref Unsafe.AsRef(in zt[0]);
        ref double rg = ref Unsafe.AsRef(in g[0]);
        for (; k + 8 <= n; k += 8)
        {
            var x = Vector512.LoadUnsafe(ref rxp, (nuint)k);
            var zz = Vector512.LoadUnsafe(ref rz, (nuint)k);
            var v = Vector512.LoadUnsafe(ref rg, (nuint)k) * vg;
            if (relu)
            {
                var pre = Vector512.FusedMultiplyAdd(zz, vc, x * vInv);
                v = Vector512.ConditionalSelect(Vector512.GreaterThan(pre, Vector512<double>.Zero), v, Vector512<double>.Zero);
            }
            aNv = Vector512.FusedMultiplyAdd(v, v, aNv);
            aZv = Vector512.FusedMultiplyAdd(zz, v, aZv);
            aXz = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref rzt, (nuint)k), aXz);
        }
        double nv = FixedOrderSums.Combine(aNv), zv = FixedOrderSums.Combine(aZv), xz = FixedOrderSums.Combine(aXz);
        for (; k < n; k++)
        {
            double v = g[k] * ginv;
            if (relu && !(Math.FusedMultiplyAdd(z[k], c, xp[k] * inv) > 0)) v = 0;
            nv = Math.FusedMultiplyAdd(v, v, nv);
            zv = Math.FusedMultiplyAdd(z[k], v, zv);
            xz = Math.FusedMultiplyAdd(xp[k], zt[k], xz);
        }
        return (nv, zv, xz);
    }

    /// <summary>
    /// Second backward pass, in place: g ← v + a·z̃ + b·xp with v = D g·ginv as above; returns ‖g‖².
    /// </summary>
    public static double BackwardUpdate(ReadOnlySpan<double> xp, double inv, ReadOnlySpan<double> z, double c,
        ReadOnlySpan<double> zt, Span<double> g, double ginv, bool relu, double a, double b)
    {
        int n = g.Length, k = 0;
        var acc = Vector512<double>.Zero;
        var vInv = Vector512.Create(inv);
        var vc = Vector512.Create(c);
        var vg = Vector512.Create(ginv);
        var va = Vector512.Create(a);
        var vb = Vector512.Create(b);
        ref double rxp = ref Unsafe.AsRef(in xp[0]);
        ref double rz = ref Unsafe.AsRef(in z[0]);
        ref double rzt = ref Unsafe.AsRef(in zt[0]);
        ref double rg = ref g[0];
        for (; k + 8 <= n; k += 8)
        {
            var x = Vector512.LoadUnsafe(ref rxp, (nuint)k);
            var v = Vector512.LoadUnsafe(ref rg, (nuint)k) * vg;
            if (relu)
            {
                var pre = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rz, (nuint)k), vc, x * vInv);
                v = Vector512.ConditionalSelect(Vector512.GreaterThan(pre, Vector512<double>.Zero), v, Vector512<double>.Zero);
            }
            var r = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rzt, (nuint)k), va, Vector512.FusedMultiplyAdd(x, vb, v));
            r.StoreUnsafe(ref rg, (nuint)k);
            acc = Vector512.FusedMultiplyAdd(r, r, acc);
        }
        double s = FixedOrderSums.Combine(acc);
        for (; k < n; k++)
        {
            double v = g[k] * ginv;
            if (relu && !(Math.FusedMultiplyAdd(z[k], c, xp[k] * inv) > 0)) v = 0;
            double r = Math.FusedMultiplyAdd(zt[k], a, Math.FusedMultiplyAdd(xp[k], b, v));
            g[k] = r;
            s = Math.FusedMultiplyAdd(r, r, s);
        }
        return s;
    }
}
