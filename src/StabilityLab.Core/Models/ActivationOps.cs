using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using StabilityLab.Randomness;

namespace StabilityLab.Models;

/// <summary>
/// Vectorized φ and φ' for the activations of <see cref="Activation"/>. tanh is <see cref="PortableMath.Tanh(double)"/>,
/// the same bits on every CPU and vector width (ReLU and the identity are exact anyway).
/// </summary>
public static class ActivationOps
{
    /// <summary>True when φ(c·u) = c·φ(u) for c > 0, so a layer can be renormalized freely.</summary>
    public static bool IsPositivelyHomogeneous(this Activation a) => a != Activation.Tanh;

    /// <summary>dst = φ(src).</summary>
    public static void Apply(this Activation a, ReadOnlySpan<double> src, Span<double> dst)
    {
        switch (a)
        {
            case Activation.Relu: TensorPrimitives.Max(src, 0.0, dst); break;
            case Activation.Tanh: Tanh(src, dst); break;
            default: src.CopyTo(dst); break;
        }
    }

    /// <summary>dst = φ'(pre) ⊙ g (ReLU' taken as 1[pre &gt; 0]); dst may alias pre or g.</summary>
    public static void MultiplyByDerivative(this Activation a, ReadOnlySpan<double> pre, ReadOnlySpan<double> g, Span<double> dst)
    {
        switch (a)
        {
            case Activation.Relu: ReluMask(pre, g, dst); break;
            case Activation.Tanh: TanhDerivative(pre, g, dst); break;
            default: g.CopyTo(dst); break;
        }
    }

    private static void Tanh(ReadOnlySpan<double> src, Span<double> dst)
    {
        int n = src.Length, k = 0;
        if (n >= 8)
        {
            ref double rs = ref Unsafe.AsRef(in src[0]);
            ref double rd = ref dst[0];
            for (; k + 8 <= n; k += 8)
                PortableMath.Tanh(Vector512.LoadUnsafe(ref rs, (nuint)k)).StoreUnsafe(ref rd, (nuint)k);
        }
        for (; k < n; k++) dst[k] = PortableMath.Tanh(src[k]);
    }

    // φ'(u) = 1 − tanh²(u), 8 elements at a time read before written, so that dst may alias either input.
    private static void TanhDerivative(ReadOnlySpan<double> pre, ReadOnlySpan<double> g, Span<double> dst)
    {
        int n = pre.Length, k = 0;
        if (n >= 8)
        {
            ref double rp = ref Unsafe.AsRef(in pre[0]);
            ref double rg = ref Unsafe.AsRef(in g[0]);
            ref double rd = ref dst[0];
            for (; k + 8 <= n; k += 8)
            {
                var t = PortableMath.Tanh(Vector512.LoadUnsafe(ref rp, (nuint)k));
                ((Vector512<double>.One - t * t) * Vector512.LoadUnsafe(ref rg, (nuint)k)).StoreUnsafe(ref rd, (nuint)k);
            }
        }
        for (; k < n; k++)
        {
            double t = PortableMath.Tanh(pre[k]);
            dst[k] = (1 - t * t) * g[k];
        }
    }

    private static void ReluMask(ReadOnlySpan<double> pre, ReadOnlySpan<double> g, Span<double> dst)
    {
        int n = pre.Length, k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; k + 8 <= n; k += 8)
            {
                var p = Vector512.Create(pre.Slice(k, 8));
                var v = Vector512.Create(g.Slice(k, 8));
                Vector512.ConditionalSelect(Vector512.GreaterThan(p, Vector512<double>.Zero), v, Vector512<double>.Zero)
                    .CopyTo(dst.Slice(k, 8));
            }
        }
        for (; k < n; k++) dst[k] = pre[k] > 0 ? g[k] : 0.0;
    }
}
