namespace StabilityLab.Tests.Sampling;

/// <summary>Small helpers for statistical assertions: mean and standard error.</summary>
internal static class SampleStats
{
    public static (double Mean, double Se) MeanSe(IReadOnlyCollection<double> x)
    {
        double mean = x.Average();
        double var = x.Sum(v => (v - mean) * (v - mean)) / (x.Count - 1);
        return (mean, Math.Sqrt(var / x.Count));
    }

    /// <summary>|mean(a) − mean(b)| in units of the standard error of the difference.</summary>
    public static double MeanDifferenceZ(IReadOnlyCollection<double> a, IReadOnlyCollection<double> b)
    {
        var (ma, sa) = MeanSe(a);
        var (mb, sb) = MeanSe(b);
        return Math.Abs(ma - mb) / Math.Sqrt(sa * sa + sb * sb);
    }
}
