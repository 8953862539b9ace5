using StabilityLab.Randomness;
using MathNet.Numerics.Statistics;

namespace StabilityLab.Spectral;

/// <summary>
/// Summary of a sample of log values (one per live trial): mean, standard deviation, a normal-theory 95%
/// interval of the mean [Lo, Hi] = mean ± 1.96·sd/√n, and the 5%, 50%, 95% quantiles (MathNet's R-8).
/// </summary>
public sealed record LogStatistic(int Count, double Mean, double Sd, double Lo, double Hi, double Q05, double Q50, double Q95)
{
    /// <summary>The summary of the finite values, or null when there are none.</summary>
    public static LogStatistic? Of(IEnumerable<double> values)
    {
        var x = values.Where(double.IsFinite).ToArray();
        if (x.Length == 0) return null;
        Array.Sort(x);
        double mean = x.Mean();
        double sd = x.Length > 1 ? x.StandardDeviation() : 0.0;
        double half = 1.959963984540054 * sd / Math.Sqrt(x.Length);
        return new LogStatistic(x.Length, mean, sd, mean - half, mean + half,
            SortedArrayStatistics.Quantile(x, 0.05), SortedArrayStatistics.Quantile(x, 0.50), SortedArrayStatistics.Quantile(x, 0.95));
    }
}
