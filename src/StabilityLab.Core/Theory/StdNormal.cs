using MathNet.Numerics;

namespace StabilityLab.Theory;

/// <summary>
/// The standard normal functions the theory needs, accurate in the tails:
/// ϕ(x) = e^{−x²/2}/√(2π), Φ(x) = erfc(−x/√2)/2, and the ReLU moment
/// E[(x + σξ)_+²] = (x²+σ²)Φ(x/σ) + xσϕ(x/σ) for ξ ~ N(0,1).
/// </summary>
internal static class StdNormal
{
    public const double InvSqrt2Pi = 0.398942280401432677939946059934;

    public static double Pdf(double x) => InvSqrt2Pi * Math.Exp(-0.5 * x * x);

    public static double Cdf(double x) => 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2));

    /// <summary>E[(x + σξ)_+²], ξ ~ N(0,1), σ &gt; 0.</summary>
    public static double ReluSecondMoment(double x, double sigma)
    {
        double u = x / sigma;
        return (x * x + sigma * sigma) * Cdf(u) + x * sigma * Pdf(u);
    }

    /// <summary>log(1 + x) without cancellation for small x (x &gt; −1).</summary>
    public static double Log1p(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>
    /// e^x − 1 without cancellation for small x (Kahan's form, like <see cref="Log1p"/>): to a few ulps where MathNet's
    /// SpecialFunctions.Expm1 errs by up to ~1e-7 relative (its series branch, |x| ≤ 0.1; docs/finite-width.md §11).
    /// </summary>
    public static double Expm1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1) return x;
        double um1 = u - 1;
        return um1 == -1 ? -1 : um1 * x / Math.Log(u);
    }

    /// <summary>log(e^a + e^b) without overflow.</summary>
    public static double LogAddExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        double m = Math.Max(a, b);
        return m + Log1p(Math.Exp(-Math.Abs(a - b)));
    }
}
