using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StabilityLab.Randomness;

/// <summary>
/// tanh for the tanh activation, with the same bits on the scalar and Vector512 paths on every CPU (Math.Tanh and
/// TensorPrimitives.Tanh differ in the last bits between libraries and vector widths). The method of Cephes' tanh.c
/// (S. L. Moshier): for |x| &lt; 0.625 the rational approximation x + x³·P(x²)/Q(x²), else 1 − 2/(e^{2|x|} + 1) with
/// the exponential of fdlibm's e_exp.c (argument reduction by ln 2 split in two parts, Remez polynomial of degree 5);
/// |x| is capped at 20, where tanh rounds to 1. Only correctly rounded IEEE operations are used, as in the rest of
/// <see cref="PortableMath"/>. The error against Math.Tanh is asserted in PortableMathTests (≤ 2 ulp).
/// </summary>
public static partial class PortableMath
{
    // tanh.c: P and Q (Q's leading coefficient 1) on x² for |x| < 0.625.
    private const double TP0 = -9.64399179425052238628E-1, TP1 = -9.92877231001918586564E1, TP2 = -1.61468768441708447952E3;
    private const double TQ0 = 1.12811678491632931402E2, TQ1 = 2.23548839060100448583E3, TQ2 = 4.84406305325125486048E3;
    private const double TanhSmall = 0.625, TanhCap = 20.0;

    // e_exp.c: 1/ln 2 and the minimax coefficients of R(r²) ≈ r·(e^r + 1)/(e^r − 1) − 2 on |r| ≤ ln2/2.
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const double E1 = 1.66666666666666019037e-01, E2 = -2.77777777770155933842e-03, E3 = 6.61375632143793436117e-05,
        E4 = -1.65339022054652515390e-06, E5 = 4.13813679705723846039e-08;

    private const long SignBit = long.MinValue;

    // ------------------------------------------------------------------ scalar

    /// <summary>tanh x; NaN gives NaN, ±∞ give ±1, −0 gives −0.</summary>
    public static double Tanh(double x)
    {
        if (double.IsNaN(x)) return x;
        long sign = BitConverter.DoubleToInt64Bits(x) & SignBit;
        double a = Math.Abs(x), z;
        if (a < TanhSmall)
        {
            double s = a * a;
            double p = Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(TP0, s, TP1), s, TP2);
            double q = Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(s + TQ0, s, TQ1), s, TQ2);
            z = Math.FusedMultiplyAdd(a * s, p / q, a);
        }
        else
        {
            z = 1.0 - 2.0 / (ExpReduced(Math.Min(a, TanhCap) * 2.0) + 1.0);
        }
        return BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(z) | sign);
    }

    /// <summary>e^x for −700 ≤ x ≤ 40 (e_exp.c without its range checks): x = k ln2 + r, e^x = 2^k e^r.</summary>
    private static double ExpReduced(double x)
    {
        double kBiased = Math.FusedMultiplyAdd(x, InvLn2, Magic); // 1.5·2⁵² + round(x/ln2)
        double k = kBiased - Magic;
        double hi = x - k * Ln2Hi, lo = k * Ln2Lo, r = hi - lo, t = r * r;
        double c = r - t * Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(E5, t, E4), t, E3), t, E2), t, E1);
        double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
        long scale = (BitConverter.DoubleToInt64Bits(kBiased) - MagicBits + 1023) << 52;
        return y * BitConverter.Int64BitsToDouble(scale);
    }

    // ------------------------------------------------------------------ Vector512 (the same operations lane by lane)

    /// <summary>tanh of each lane, the same bits as <see cref="Tanh(double)"/>: both branches are computed and one selected.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Tanh(Vector512<double> x)
    {
        var signMask = Vector512.Create(SignBit).AsDouble();
        var sign = x & signMask;
        var a = Vector512.AndNot(x, signMask);
        var s = a * a;
        var p = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(TP0), s, Vector512.Create(TP1)), s, Vector512.Create(TP2));
        var q = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(s + Vector512.Create(TQ0), s, Vector512.Create(TQ1)), s, Vector512.Create(TQ2));
        var small = Vector512.FusedMultiplyAdd(a * s, p / q, a);
        // Lanes below the cap keep a; NaN lanes are replaced by x at the end whatever Min does with them.
        var capped = Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(TanhCap)), a, Vector512.Create(TanhCap));
        var large = Vector512<double>.One - Vector512.Create(2.0) / (ExpReduced(capped * Vector512.Create(2.0)) + Vector512<double>.One);
        var z = Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(TanhSmall)), small, large) | sign;
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), z, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ExpReduced(Vector512<double> x)
    {
        var kBiased = Vector512.FusedMultiplyAdd(x, Vector512.Create(InvLn2), Vector512.Create(Magic));
        var k = kBiased - Vector512.Create(Magic);
        var hi = x - k * Vector512.Create(Ln2Hi);
        var lo = k * Vector512.Create(Ln2Lo);
        var r = hi - lo;
        var t = r * r;
        var c = r - t * Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(
            Vector512.Create(E5), t, Vector512.Create(E4)), t, Vector512.Create(E3)), t, Vector512.Create(E2)), t, Vector512.Create(E1));
        var y = Vector512<double>.One - ((lo - (r * c) / (Vector512.Create(2.0) - c)) - hi);
        var scale = (kBiased.AsInt64() - Vector512.Create(MagicBits) + Vector512.Create(1023L)) << 52;
        return y * scale.AsDouble();
    }
}
