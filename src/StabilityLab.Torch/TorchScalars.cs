using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Torch;

/// <summary>
/// Scalars that live as long as the process, and the tensor arithmetic the training path needs written with them.
/// TorchSharp reads a Scalar's native handle and then calls into libtorch without keeping the managed Scalar alive, so an
/// implicit one (the 2.0 in <c>2.0 * t</c>, the alpha 1 of <c>t + u</c>, the 0 of <c>u &gt; 0</c>; <c>t - u</c> of two tensors passes none) can be finalized, and its
/// native memory freed, while the operation still reads it: under garbage-collector pressure a run died with libtorch's
/// "Expected false to be true" from Scalar::toDouble. These Scalars are cached and never disposed. Each helper runs the
/// same libtorch operation as the operator it replaces (same bits).
/// </summary>
public static class TorchScalars
{
    private static readonly ConcurrentDictionary<long, Scalar> Cache = new();

    /// <summary>The double <paramref name="value"/> as a Scalar that is never freed (one per distinct value).</summary>
    public static Scalar Of(double value) =>
        Cache.GetOrAdd(BitConverter.DoubleToInt64Bits(value), static (_, v) => v.ToScalar(), value);

    /// <summary>1.0, the alpha of a plain sum.</summary>
    public static Scalar One { get; } = Of(1.0);

    /// <summary>a + b (libtorch add with alpha 1, as <c>a + b</c>).</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>c·a (libtorch mul by a Scalar, as <c>c * a</c>).</summary>
    public static Tensor Times(this Tensor a, double c) => a.mul(Of(c));

    /// <summary>1 − a (negation, then the sum, as <c>1 - a</c>).</summary>
    public static Tensor OneMinus(this Tensor a) => a.negative().add(One, One);

    /// <summary>The value of a one-element tensor. TorchSharp's ToDouble() reads it through a temporary Scalar that can be
    /// finalized mid-call the same way; here the Scalar stays alive until the value is read.</summary>
    public static double Item(this Tensor t)
    {
        using var s = t.ToScalar();
        return s.ToDouble();
    }

    /// <inheritdoc cref="Item"/>
    public static long ItemLong(this Tensor t)
    {
        using var s = t.ToScalar();
        return s.ToInt64();
    }

    /// <summary>c + a·b as one fused libtorch addmm (β = α = 1, so its single-precision coefficients are exact).</summary>
    public static Tensor PlusProduct(this Tensor c, Tensor a, Tensor b) => addmm(c, a, b, 1f, 1f);

    /// <summary>w ← w + (c·g)ᵀ x in place (the update of a weight by c times its gradient gᵀx). libtorch's addmm takes its α in
    /// single precision, so the double c multiplies g first and α stays 1.</summary>
    public static void AddScaledProduct(this Tensor w, double c, Tensor g, Tensor x) => w.addmm_(g.Times(c).t(), x, 1f, 1f);

    /// <summary>a + c·b: c·b first, then the sum (two operations, as <c>a + c * b</c>; not libtorch's fused alpha).</summary>
    public static Tensor PlusScaled(this Tensor a, double c, Tensor b) => a.Plus(b.Times(c));
}
