using MathNet.Numerics.Distributions;

namespace StabilityLab.Fitting;

/// <summary>
/// The two one-sided tests of |slope| &lt; δ on a fitted line (Schuirmann 1987): p = max(p₋, p₊), where p₋ tests
/// H₀: slope ≤ −δ and p₊ tests H₀: slope ≥ δ. p ≤ α is the same as the 1 − 2α interval lying inside (−δ, δ).
/// <see cref="PGrowth"/> tests H₀: slope ≤ δ, i.e. whether the slope is significantly above the margin.
/// <see cref="Power"/> is the chance of showing equivalence at true slope 0 through the upper test,
/// ≈ T_df(δ/SE − t_{1−α}); by symmetry it is also the chance a slope of δ would be told apart from 0.
/// </summary>
public sealed record Equivalence(double Margin, double PLower, double PUpper, double PGrowth, double Lo, double Hi, double Power)
{
    public double P => Math.Max(PLower, PUpper);
}

/// <summary>t-tests on the slope of a <see cref="LineFit"/> (SE and degrees of freedom of the fit).</summary>
public static class SlopeTests
{
    public static Equivalence Tost(LineFit f, double margin, double alpha = 0.05)
    {
        var t = new StudentT(0, 1, f.Df);
        double se = Math.Max(f.SlopeSe, 1e-300), tCrit = t.InverseCumulativeDistribution(1 - alpha);
        return new Equivalence(margin,
            PLower: 1 - t.CumulativeDistribution((f.Slope + margin) / se),
            PUpper: t.CumulativeDistribution((f.Slope - margin) / se),
            PGrowth: 1 - t.CumulativeDistribution((f.Slope - margin) / se),
            Lo: f.Slope - tCrit * se, Hi: f.Slope + tCrit * se,
            Power: t.CumulativeDistribution(margin / se - tCrit));
    }

    /// <summary>
    /// Two one-sided tests of |slope − target| &lt; δ (<see cref="Tost"/> on the shifted slope; its interval is of slope − target),
    /// and the p-value of "significantly outside the band", the smaller of the two one-sided tests of H₀: slope − target ≤ δ
    /// and H₀: slope − target ≥ −δ.
    /// </summary>
    public static (Equivalence E, double POutside) Around(LineFit f, double target, double margin, double alpha = 0.05)
    {
        var e = Tost(f with { Slope = f.Slope - target, SlopeLo = f.SlopeLo - target, SlopeHi = f.SlopeHi - target }, margin, alpha);
        return (e, Math.Min(e.PGrowth, 1 - e.PLower));
    }

    /// <summary>One-sided p-value of H₀: slope ≤ <paramref name="value"/>.</summary>
    public static double Above(LineFit f, double value) =>
        1 - StudentT.CDF(0, 1, f.Df, (f.Slope - value) / Math.Max(f.SlopeSe, 1e-300));

    /// <summary>Two-sided p-value of H₀: slope = <paramref name="value"/>.</summary>
    public static double TwoSided(LineFit f, double value) =>
        2 * (1 - StudentT.CDF(0, 1, f.Df, Math.Abs(f.Slope - value) / Math.Max(f.SlopeSe, 1e-300)));
}
