namespace StabilityLab.Statistics;

/// <summary>
/// Kolmogorov–Smirnov tests (MathNet has none). The p-value uses the asymptotic Kolmogorov
/// distribution Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²} with Stephens' small-sample correction
/// λ = (√n_e + 0.12 + 0.11/√n_e) D (Numerical Recipes §14.3).
/// </summary>
public static class KolmogorovSmirnov
{
    /// <summary>Two-sample statistic D = sup |F_a − F_b| and its p-value.</summary>
    public static (double D, double PValue) TwoSample(IEnumerable<double> a, IEnumerable<double> b)
    {
        var x = a.ToArray();
        var y = b.ToArray();
        if (x.Length == 0 || y.Length == 0) throw new ArgumentException("both samples need values");
        Array.Sort(x);
        Array.Sort(y);
        int i = 0, j = 0;
        double d = 0;
        while (i < x.Length && j < y.Length)
        {
            double v = Math.Min(x[i], y[j]);
            while (i < x.Length && x[i] <= v) i++;
            while (j < y.Length && y[j] <= v) j++;
            d = Math.Max(d, Math.Abs((double)i / x.Length - (double)j / y.Length));
        }
        double ne = (double)x.Length * y.Length / (x.Length + y.Length);
        return (d, PValue(d, ne));
    }

    /// <summary>One-sample statistic against a continuous CDF, and its p-value.</summary>
    public static (double D, double PValue) OneSample(IEnumerable<double> sample, Func<double, double> cdf)
    {
        var x = sample.ToArray();
        if (x.Length == 0) throw new ArgumentException("the sample needs values");
        Array.Sort(x);
        double d = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double f = cdf(x[i]);
            d = Math.Max(d, Math.Max(f - (double)i / x.Length, (double)(i + 1) / x.Length - f));
        }
        return (d, PValue(d, x.Length));
    }

    private static double PValue(double d, double ne)
    {
        double sq = Math.Sqrt(ne);
        double lambda = (sq + 0.12 + 0.11 / sq) * d;
        if (lambda < 0.2) return 1.0;
        double sum = 0, sign = 1;
        for (int k = 1; k <= 100; k++)
        {
            double term = sign * Math.Exp(-2 * k * k * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-12) break;
            sign = -sign;
        }
        return Math.Clamp(2 * sum, 0, 1);
    }
}
