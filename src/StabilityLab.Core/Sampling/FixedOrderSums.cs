using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StabilityLab.Sampling;

/// <summary>
/// Sums whose rounding does not depend on the CPU: always 8 logical accumulators (lane j takes the
/// elements j, j+8, j+16, …, by fused multiply-add), combined in the fixed tree
/// ((a0+a1)+(a2+a3))+((a4+a5)+(a6+a7)), then the last n mod 8 elements in order. A Vector512 runs as
/// one 512-bit, two 256-bit, four 128-bit or eight scalar operations with the same per-lane results,
/// so the sum is the same bits on every x64 CPU (TensorPrimitives' sums follow the hardware width).
/// </summary>
public static class FixedOrderSums
{
    /// <summary>The fixed combination of the 8 logical accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Combine(Vector512<double> a) =>
        ((a.GetElement(0) + a.GetElement(1)) + (a.GetElement(2) + a.GetElement(3)))
        + ((a.GetElement(4) + a.GetElement(5)) + (a.GetElement(6) + a.GetElement(7)));

    /// <summary>Σ x².</summary>
    public static double SumOfSquares(ReadOnlySpan<double> x) => Dot(x, x);

    /// <summary>Σ x·y.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("spans differ in length");
        int n = x.Length, k = 0;
        var acc = Vector512<double>.Zero;
        if (n >= 8)
        {
            ref double rx = ref Unsafe.AsRef(in x[0]);
            ref double ry = ref Unsafe.AsRef(in y[0]);
            for (; k + 8 <= n; k += 8)
                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rx, (nuint)k), Vector512.LoadUnsafe(ref ry, (nuint)k), acc);
        }
        double s = Combine(acc);
        for (; k < n; k++) s = Math.FusedMultiplyAdd(x[k], y[k], s);
        return s;
    }
}
