using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StabilityLab.Sampling;

/// <summary>
/// Fused single-pass loops for the paper's post block with a positively homogeneous φ (ReLU or identity), the hot path
/// of every sweep: a layer costs one pass forward and one backward (<see cref="BackwardUpdateReduce"/>) instead of a dozen
/// separate vector operations. Rows are stored unnormalized and never rescaled inside a pass: the caller folds the norms
/// into the scalars (docs/science.md §4 on unit vectors, times the norm), so a pass spends no multiply on them.
/// Sums use the 8 logical lanes of <see cref="FixedOrderSums"/> (the same bits on every CPU); the forward pass's sum runs
/// in two interleaved halves of those lanes (elements 16i + j and 16i + 8 + j), since it is the chain the next layer waits for.
/// </summary>
internal static class PostBlockKernels
{
    /// <summary>x = φ(xp + c·z); returns ‖x‖².</summary>
    public static double Forward(ReadOnlySpan<double> xp, ReadOnlySpan<double> z, double c, bool relu, Span<double> x)
    {
        if (xp.Length != x.Length || z.Length != x.Length) throw new ArgumentException("rows differ in length");
        int n = x.Length, k = 0;
        var acc0 = Vector512<double>.Zero;
        var acc1 = Vector512<double>.Zero;
        var vc = Vector512.Create(c);
        ref double rxp = ref MemoryMarshal.GetReference(xp);
        ref double rz = ref MemoryMarshal.GetReference(z);
        ref double rx = ref MemoryMarshal.GetReference(x);
        for (; k + 16 <= n; k += 16)
        {
            acc0 = ForwardBlock(ref rxp, ref rz, ref rx, (nuint)k, vc, relu, acc0);
            acc1 = ForwardBlock(ref rxp, ref rz, ref rx, (nuint)(k + 8), vc, relu, acc1);
        }
        if (k + 8 <= n)
        {
            acc0 = ForwardBlock(ref rxp, ref rz, ref rx, (nuint)k, vc, relu, acc0);
            k += 8;
        }
        double s = FixedOrderSums.Combine(acc0 + acc1);
        for (; k < n; k++)
        {
            double pre = Math.FusedMultiplyAdd(z[k], c, xp[k]);
            if (relu && pre < 0) pre = 0;
            x[k] = pre;
            s = Math.FusedMultiplyAdd(pre, pre, s);
        }
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ForwardBlock(ref double rxp, ref double rz, ref double rx, nuint k, Vector512<double> vc, bool relu,
        Vector512<double> acc)
    {
        var pre = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rz, k), vc, Vector512.LoadUnsafe(ref rxp, k));
        if (relu) pre = Vector512.Max(pre, Vector512<double>.Zero);
        pre.StoreUnsafe(ref rx, k);
        return Vector512.FusedMultiplyAdd(pre, pre, acc);
    }

    /// <summary>
    /// The sums a backward layer l needs (g carries the ReLU mask D_l already: <see cref="BackwardUpdate"/>): ‖g‖², x_lᵀg,
    /// x_{l−1}ᵀg and x_{l−1}ᵀz̃_l (x = x_l, xp = x_{l−1}). The same bits as the sums <see cref="BackwardUpdateReduce"/>
    /// gathers for the layer below while it writes g.
    /// </summary>
    public static (double G2, double Xg, double Xpg, double Xzt) BackwardReduce(ReadOnlySpan<double> x, ReadOnlySpan<double> xp,
        ReadOnlySpan<double> zt, ReadOnlySpan<double> g)
    {
        if (xp.Length != g.Length || x.Length != g.Length || zt.Length != g.Length) throw new ArgumentException("rows differ in length");
        int n = g.Length, k = 0;
        var aG = Vector512<double>.Zero;
        var aA = Vector512<double>.Zero;
        var aB = Vector512<double>.Zero;
        var aX = Vector512<double>.Zero;
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double rxp = ref MemoryMarshal.GetReference(xp);
        ref double rzt = ref MemoryMarshal.GetReference(zt);
        ref double rg = ref MemoryMarshal.GetReference(g);
        for (; k + 8 <= n; k += 8)
        {
            var v = Vector512.LoadUnsafe(ref rg, (nuint)k);
            var w = Vector512.LoadUnsafe(ref rxp, (nuint)k);
            aG = Vector512.FusedMultiplyAdd(v, v, aG);
            aA = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rx, (nuint)k), v, aA);
            aB = Vector512.FusedMultiplyAdd(w, v, aB);
            aX = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref rzt, (nuint)k), aX);
        }
        double ng = FixedOrderSums.Combine(aG), xg = FixedOrderSums.Combine(aA), xpg = FixedOrderSums.Combine(aB), xz = FixedOrderSums.Combine(aX);
        for (; k < n; k++)
        {
            ng = Math.FusedMultiplyAdd(g[k], g[k], ng);
            xg = Math.FusedMultiplyAdd(x[k], g[k], xg);
            xpg = Math.FusedMultiplyAdd(xp[k], g[k], xpg);
            xz = Math.FusedMultiplyAdd(xp[k], zt[k], xz);
        }
        return (ng, xg, xpg, xz);
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
    /// The backward update, in place: r = g + a·z̃ + b·xp; returns ‖r‖² and stores g ← r, or for ReLU g ← D′r with
    /// D′ = 1[xp &gt; 0], the mask of the layer below, so that its pass reads the masked gradient directly.
    /// </summary>
    public static double BackwardUpdate(ReadOnlySpan<double> xp, ReadOnlySpan<double> zt, Span<double> g, bool relu, double a, double b)
    {
        if (xp.Length != g.Length || zt.Length != g.Length) throw new ArgumentException("rows differ in length");
        int n = g.Length, k = 0;
        var acc = Vector512<double>.Zero;
        var va = Vector512.Create(a);
        var vb = Vector512.Create(b);
        ref double rxp = ref MemoryMarshal.GetReference(xp);
        ref double rzt = ref MemoryMarshal.GetReference(zt);
        ref double rg = ref MemoryMarshal.GetReference(g);
        for (; k + 8 <= n; k += 8)
        {
            UpdateBlock(ref rxp, ref rzt, ref rg, (nuint)k, va, vb, relu, out var r, out _);
            acc = Vector512.FusedMultiplyAdd(r, r, acc);
        }
        double s = FixedOrderSums.Combine(acc);
        for (; k < n; k++)
        {
            UpdateElement(xp, zt, g, k, relu, a, b, out double r);
            s = Math.FusedMultiplyAdd(r, r, s);
        }
        return s;
    }

    /// <summary>
    /// <see cref="BackwardUpdate"/> of layer l and <see cref="BackwardReduce"/> of layer l − 1 in one pass: while it writes
    /// g ← D′r it gathers ‖g‖², x_{l−1}ᵀg, x_{l−2}ᵀg and x_{l−2}ᵀz̃_{l−1} for the layer below (the same bits as the two
    /// passes).
    /// </summary>
    public static (double R2, double G2, double Xg, double Xpg, double Xzt) BackwardUpdateReduce(ReadOnlySpan<double> xp, ReadOnlySpan<double> zt,
        Span<double> g, bool relu, double a, double b, ReadOnlySpan<double> xpBelow, ReadOnlySpan<double> ztBelow)
    {
        if (xp.Length != g.Length || zt.Length != g.Length || xpBelow.Length != g.Length || ztBelow.Length != g.Length)
            throw new ArgumentException("rows differ in length");
        int n = g.Length, k = 0;
        var acc = Vector512<double>.Zero;
        var aG = Vector512<double>.Zero;
        var aA = Vector512<double>.Zero;
        var aB = Vector512<double>.Zero;
        var aX = Vector512<double>.Zero;
        var va = Vector512.Create(a);
        var vb = Vector512.Create(b);
        ref double rxp = ref MemoryMarshal.GetReference(xp);
        ref double rzt = ref MemoryMarshal.GetReference(zt);
        ref double rg = ref MemoryMarshal.GetReference(g);
        ref double rxp1 = ref MemoryMarshal.GetReference(xpBelow);
        ref double rzt1 = ref MemoryMarshal.GetReference(ztBelow);
        for (; k + 8 <= n; k += 8)
        {
            var masked = UpdateBlock(ref rxp, ref rzt, ref rg, (nuint)k, va, vb, relu, out var r, out var x);
            var w = Vector512.LoadUnsafe(ref rxp1, (nuint)k);
            acc = Vector512.FusedMultiplyAdd(r, r, acc);
            aG = Vector512.FusedMultiplyAdd(masked, masked, aG);
            aA = Vector512.FusedMultiplyAdd(x, masked, aA);
            aB = Vector512.FusedMultiplyAdd(w, masked, aB);
            aX = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref rzt1, (nuint)k), aX);
        }
        double s = FixedOrderSums.Combine(acc), ng = FixedOrderSums.Combine(aG), xg = FixedOrderSums.Combine(aA),
            xpg = FixedOrderSums.Combine(aB), xz = FixedOrderSums.Combine(aX);
        for (; k < n; k++)
        {
            double masked = UpdateElement(xp, zt, g, k, relu, a, b, out double r);
            s = Math.FusedMultiplyAdd(r, r, s);
            ng = Math.FusedMultiplyAdd(masked, masked, ng);
            xg = Math.FusedMultiplyAdd(xp[k], masked, xg);
            xpg = Math.FusedMultiplyAdd(xpBelow[k], masked, xpg);
            xz = Math.FusedMultiplyAdd(xpBelow[k], ztBelow[k], xz);
        }
        return (s, ng, xg, xpg, xz);
    }

    // Eight lanes of the update: r = g + a·z̃ + b·xp; stores and returns D′r (r where relu is off).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> UpdateBlock(ref double rxp, ref double rzt, ref double rg, nuint k, Vector512<double> va,
        Vector512<double> vb, bool relu, out Vector512<double> r, out Vector512<double> x)
    {
        x = Vector512.LoadUnsafe(ref rxp, k);
        r = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rzt, k), va, Vector512.FusedMultiplyAdd(x, vb, Vector512.LoadUnsafe(ref rg, k)));
        var masked = relu ? Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<double>.Zero), r, Vector512<double>.Zero) : r;
        masked.StoreUnsafe(ref rg, k);
        return masked;
    }

    private static double UpdateElement(ReadOnlySpan<double> xp, ReadOnlySpan<double> zt, Span<double> g, int k, bool relu, double a, double b,
        out double r)
    {
        r = Math.FusedMultiplyAdd(zt[k], a, Math.FusedMultiplyAdd(xp[k], b, g[k]));
        double masked = relu && !(xp[k] > 0) ? 0 : r;
        g[k] = masked;
        return masked;
    }
}
