using MathNet.Numerics;

namespace StabilityLab.Statistics;

/// <summary>
/// The Anderson–Darling test of normality with mean and variance estimated from the sample
/// (MathNet has no normality test). A² = −n − (1/n) Σ (2i − 1)[log Φ(z_(i)) + log(1 − Φ(z_(n+1−i)))],
/// z = (x − x̄)/s with the n − 1 standard deviation; modified A* = A²(1 + 0.75/n + 2.25/n²) and its
/// p-value from D'Agostino &amp; Stephens (1986), "Goodness-of-Fit Techniques", Table 4.9 (the formulas of
/// R's nortest::ad.test, which also caps p at 3.7e-24 for A* ≥ 10). The test weights the tails, which is
/// where a log-normal mean extrapolates.
/// </summary>
public static class AndersonDarling
{
    /// <summary>Fewest values the test accepts (as nortest::ad.test).</summary>
    public const int MinSize = 8;

    /// <summary>The statistic A² (as nortest reports it) and the p-value of A*; (+∞, 0) for a sample with zero spread.</summary>
    public static (double Statistic, double PValue) NormalityTest(ReadOnlySpan<double> sample)
    {
        int n = sample.Length;
        if (n < MinSize) throw new ArgumentException($"the Anderson–Darling test needs at least {MinSize} values (got {n})");
        var x = sample.ToArray();
        Array.Sort(x);
        double mean = 0;
        foreach (var v in x) mean += v;
        mean /= n;
        double ss = 0;
        foreach (var v in x) ss += (v - mean) * (v - mean);
        double sd = Math.Sqrt(ss / (n - 1));
        if (!(sd > 0)) return (double.PositiveInfinity, 0);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double lower = LogPhi((x[i] - mean) / sd);
            double upper = LogPhi(-(x[n - 1 - i] - mean) / sd); // log(1 − Φ(z)) = log Φ(−z)
            sum += (2 * i + 1) * (lower + upper);
        }
        double a2 = -n - sum / n;
        double a = a2 * (1 + 0.75 / n + 2.25 / ((double)n * n));
        return (a2, PValue(a));
    }

    // log Φ(z) through erfc, which keeps relative accuracy in the far lower tail.
    private static double LogPhi(double z) => Math.Log(0.5 * SpecialFunctions.Erfc(-z / Math.Sqrt(2)));

    private static double PValue(double a)
    {
        // Past A* = 10 the last fit is extrapolation (and turns upward at 153): nortest reports 3.7e-24 there.
        if (a >= 10) return 3.7e-24;
        double p = a switch
        {
            < 0.2 => 1 - Math.Exp(-13.436 + 101.14 * a - 223.73 * a * a),
            < 0.34 => 1 - Math.Exp(-8.318 + 42.796 * a - 59.938 * a * a),
            < 0.6 => Math.Exp(0.9177 - 4.279 * a - 1.38 * a * a),
            _ => Math.Exp(1.2937 - 5.709 * a + 0.0186 * a * a),
        };
        return Math.Clamp(p, 0, 1);
    }
}
