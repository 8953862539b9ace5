using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StabilityLab.Randomness;

/// <summary>
/// The logarithm and sine/cosine of the Box–Muller transform, written here so that the scalar and
/// vector versions perform the same IEEE operations in the same order (the same
/// bits on every CPU; Math.Log and the vector libraries' Log differ in the last bits). The vector
/// version is Vector512 only (see below).
/// Only +, −, ×, ÷, fused multiply-add, √ (all correctly rounded by IEEE 754) and integer bit
/// operations are used. Polynomials and reductions are those of fdlibm (Sun Microsystems, e_log.c,
/// k_sin.c, k_cos.c), whose errors are below 1 ulp; the measured errors are asserted in
/// PortableMathTests.
/// </summary>
public static partial class PortableMath
{
    // e_log.c: ln 2 split so that k·Ln2Hi is exact, and the minimax coefficients of
    // R(z) ≈ (ln((1+s)/(1−s)) − 2s)/s on z = s² ∈ [0, 0.1716²].
    private const double Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;
    private const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
        Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01, Lg7 = 1.479819860511658591e-01;

    // k_sin.c / k_cos.c: minimax coefficients on |x| ≤ π/4.
    private const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04,
        S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
    private const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05,
        C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;

    private const long MantissaMask = 0x000F_FFFF_FFFF_FFFF, OneBits = 0x3FF0_0000_0000_0000;
    private const long SqrtTwoOffset = 0x95F64L << 32;   // (2 − √2)·2⁵²: m + this carries into bit 52 iff m ≥ √2
    private const long MagicBits = 0x4338_0000_0000_0000; // 1.5·2⁵²: bits + n is the double 1.5·2⁵² + n for |n| < 2⁵¹
    private const double Magic = 6755399441055744.0;
    private const int TurnBits = 52;                       // sin/cos take an angle of w/2⁵² turns
    private const double QuarterTurnRadians = Math.PI / 2 / (1L << (TurnBits - 2)); // radians per unit of w mod a quarter turn

    // ------------------------------------------------------------------ scalar

    /// <summary>
    /// ln x (e_log.c). Zero, negative, NaN and infinite x give Math.Log's −∞, NaN, NaN, +∞ (exact
    /// everywhere); a subnormal x is scaled by 2⁵⁴ first.
    /// </summary>
    public static double Log(double x)
    {
        if (!(x >= 2.2250738585072014E-308) || double.IsPositiveInfinity(x))
        {
            if (x > 0 && !double.IsPositiveInfinity(x)) return Log(x * 18014398509481984.0) - 54 * Ln2Hi - 54 * Ln2Lo;
            return Math.Log(x);
        }
        return LogNormal(x);
    }

    /// <summary>
    /// dest[i] = <see cref="Log(double)"/>(x[i]), eight at a time where all eight are normal positive numbers (the vector
    /// version performs the same operations, so the bits are those of the scalar call). For the logarithms a loop
    /// collects first and takes after (the exact sampler's per-layer norms).
    /// </summary>
    public static void Log(ReadOnlySpan<double> x, Span<double> dest)
    {
        if (dest.Length < x.Length) throw new ArgumentException("destination too short", nameof(dest));
        int n = x.Length, k = 0;
        var min = Vector512.Create(2.2250738585072014E-308);
        var inf = Vector512.Create(double.PositiveInfinity);
        for (; k + 8 <= n; k += 8)
        {
            var v = Vector512.Create(x.Slice(k, 8));
            if (Vector512.GreaterThanOrEqualAll(v, min) && Vector512.LessThanAll(v, inf)) Log(v).CopyTo(dest.Slice(k, 8));
            else for (int j = k; j < k + 8; j++) dest[j] = Log(x[j]);
        }
        for (; k < n; k++) dest[k] = Log(x[k]);
    }

    private static double LogNormal(double x)
    {
        long ix = BitConverter.DoubleToInt64Bits(x);
        long mant = ix & MantissaMask;
        long t = (mant + SqrtTwoOffset) & (1L << 52);
        long k = (ix >> 52) - 1023 + (t >> 52);
        double f = BitConverter.Int64BitsToDouble(mant | (t ^ OneBits)) - 1.0; // x = 2^k (1 + f), √½ ≤ 1 + f < √2
        double dk = k;
        double s = f / (2.0 + f), z = s * s;
        double p = Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(
            Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Lg7, z, Lg6), z, Lg5), z, Lg4), z, Lg3), z, Lg2), z, Lg1);
        double r = z * p, hfsq = 0.5 * f * f;
        return dk * Ln2Hi - ((hfsq - Math.FusedMultiplyAdd(s, hfsq + r, dk * Ln2Lo)) - f);
    }

    /// <summary>sin x for |x| ≤ π/4 (k_sin.c with no tail).</summary>
    public static double SinKernel(double x)
    {
        double z = x * x, v = z * x;
        double p = Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(S6, z, S5), z, S4), z, S3), z, S2);
        return Math.FusedMultiplyAdd(v, Math.FusedMultiplyAdd(z, p, S1), x);
    }

    /// <summary>cos x for |x| ≤ π/4 (k_cos.c with no tail).</summary>
    public static double CosKernel(double x)
    {
        double z = x * x;
        double p = Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(
            Math.FusedMultiplyAdd(C6, z, C5), z, C4), z, C3), z, C2), z, C1);
        double r = z * p, hz = 0.5 * z, w = 1.0 - hz;
        return w + Math.FusedMultiplyAdd(z, r, (1.0 - w) - hz);
    }

    /// <summary>
    /// (sin, cos) of 2π·w/2⁵² for w &lt; 2⁵²: w = q·2⁵⁰ + n with q the nearest quarter turn and
    /// |n| ≤ 2⁴⁹, so the reduction is exact and only the kernels' argument n·(π/2)/2⁵⁰ is rounded.
    /// </summary>
    public static (double Sin, double Cos) SinCosTurns(ulong w)
    {
        ulong q = (w + (1UL << (TurnBits - 3))) >> (TurnBits - 2);
        long n = (long)w - (long)(q << (TurnBits - 2));
        double x = (BitConverter.Int64BitsToDouble(n + MagicBits) - Magic) * QuarterTurnRadians;
        double s = SinKernel(x), c = CosKernel(x);
        ulong qi = q & 3;
        double a = (qi & 1) != 0 ? c : s, b = (qi & 1) != 0 ? s : c;
        return (FlipSign(a, (qi & 2) << 62), FlipSign(b, ((qi + 1) & 2) << 62));
    }

    private static double FlipSign(double v, ulong signBit) => BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(v) ^ signBit);

    /// <summary>
    /// The Box–Muller pair of two 52-bit words: u1 = 1 − w1/2⁵² ∈ (0, 1], ρ = √(−2 ln u1),
    /// (ρ cos 2πu2, ρ sin 2πu2) with u2 = w2/2⁵².
    /// </summary>
    public static (double Cos, double Sin) BoxMuller(ulong w1, ulong w2)
    {
        double u1 = 2.0 - BitConverter.Int64BitsToDouble((long)w1 | OneBits); // 2 − [1, 2) is exact
        double rho = Math.Sqrt(-2.0 * LogNormal(u1));
        var (sin, cos) = SinCosTurns(w2);
        return (rho * cos, rho * sin);
    }

    // ------------------------------------------------------------------ Vector512 (the same operations lane by lane)
    // One vector width serves every CPU: without AVX-512 the JIT runs each Vector512 operation as two
    // 256-bit (or four 128-bit, or eight scalar) ones, which also keeps two independent chains in flight.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Log(Vector512<double> x)
    {
        var ix = x.AsInt64();
        var mant = ix & Vector512.Create(MantissaMask);
        var t = (mant + Vector512.Create(SqrtTwoOffset)) & Vector512.Create(1L << 52);
        var k = (ix >> 52) - Vector512.Create(1023L) + (t >> 52);
        var f = (mant | (t ^ Vector512.Create(OneBits))).AsDouble() - Vector512<double>.One;
        var dk = (k + Vector512.Create(MagicBits)).AsDouble() - Vector512.Create(Magic); // exact: |k| < 2⁵¹
        var s = f / (Vector512.Create(2.0) + f);
        var z = s * s;
        var p = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(
            Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(Lg7), z, Vector512.Create(Lg6)), z, Vector512.Create(Lg5)),
            z, Vector512.Create(Lg4)), z, Vector512.Create(Lg3)), z, Vector512.Create(Lg2)), z, Vector512.Create(Lg1));
        var r = z * p;
        var hfsq = Vector512.Create(0.5) * f * f;
        return dk * Vector512.Create(Ln2Hi) - ((hfsq - Vector512.FusedMultiplyAdd(s, hfsq + r, dk * Vector512.Create(Ln2Lo))) - f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCosTurns(Vector512<ulong> w, out Vector512<double> sin, out Vector512<double> cos)
    {
        var q = (w + Vector512.Create(1UL << (TurnBits - 3))) >>> (TurnBits - 2);
        var n = w.AsInt64() - (q << (TurnBits - 2)).AsInt64();
        var x = ((n + Vector512.Create(MagicBits)).AsDouble() - Vector512.Create(Magic)) * Vector512.Create(QuarterTurnRadians);
        var z = x * x;
        var ps = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(
            Vector512.Create(S6), z, Vector512.Create(S5)), z, Vector512.Create(S4)), z, Vector512.Create(S3)), z, Vector512.Create(S2));
        var s = Vector512.FusedMultiplyAdd(z * x, Vector512.FusedMultiplyAdd(z, ps, Vector512.Create(S1)), x);
        var pc = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(
            Vector512.FusedMultiplyAdd(Vector512.Create(C6), z, Vector512.Create(C5)), z, Vector512.Create(C4)), z, Vector512.Create(C3)),
            z, Vector512.Create(C2)), z, Vector512.Create(C1));
        var rc = z * pc;
        var hz = Vector512.Create(0.5) * z;
        var wc = Vector512<double>.One - hz;
        var c = wc + Vector512.FusedMultiplyAdd(z, rc, (Vector512<double>.One - wc) - hz);
        var qi = q & Vector512.Create(3UL);
        var swap = Vector512.Equals(qi & Vector512<ulong>.One, Vector512<ulong>.One).AsDouble();
        var a = Vector512.ConditionalSelect(swap, c, s);
        var b = Vector512.ConditionalSelect(swap, s, c);
        sin = (a.AsUInt64() ^ ((qi & Vector512.Create(2UL)) << 62)).AsDouble();
        cos = (b.AsUInt64() ^ (((qi + Vector512<ulong>.One) & Vector512.Create(2UL)) << 62)).AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BoxMuller(Vector512<ulong> w1, Vector512<ulong> w2, out Vector512<double> cos, out Vector512<double> sin)
    {
        var u1 = Vector512.Create(2.0) - (w1 | Vector512.Create((ulong)OneBits)).AsDouble();
        var rho = Vector512.Sqrt(Vector512.Create(-2.0) * Log(u1));
        SinCosTurns(w2, out var s, out var c);
        cos = rho * c;
        sin = rho * s;
    }
}
