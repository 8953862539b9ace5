using MathNet.Numerics.Distributions;

namespace StabilityLab.Statistics;

/// <summary>
/// log E[r] from draws of x = log r, with an interval that keeps its nominal coverage or says it cannot.
/// The log-mean-exp with a percentile bootstrap (<see cref="CellStatistics"/>) under-covers as soon as x
/// spreads: E[r] is then carried by rare large draws the sample has not seen (docs/statistics.md).
/// The order of the methods, chosen by measured coverage (docs/statistics.md):
/// 1. x consistent with a Gaussian (Anderson–Darling p ≥ <see cref="NormalityAlpha"/>): the log-normal
///    mean μ̂ + σ̂²/2, exact for Gaussian x at any σ, with its delta-method interval;
/// 2. else, Pareto k̂ of exp(x) below min(1 − 1/log10 n, 0.7) (Vehtari et al. 2024): the sample mean of
///    exp(x), with a normal interval on the log scale;
/// 3. else not estimable: no interval, <see cref="MeanRatioEstimate.Ok"/> false.
/// The k̂ gate alone would not do: samples with a small k̂ are those that missed the tail, so the
/// sample mean under-covers given k̂ below the threshold when x is Gaussian with σ ≈ 2; hence the
/// log-normal branch comes first. Its interval extrapolates the Gaussian shape far past the draws.
/// NaN and −∞ log ratios are dropped; a +∞ one (an overflowed ratio) makes the mean not estimable.
/// </summary>
public static class MeanRatio
{
    public const string SampleMean = "sample-mean";
    public const string LogNormal = "log-normal";
    public const string NotEstimable = "not-estimable";

    /// <summary>Level of the normality test: below this p-value x is taken as non-Gaussian.</summary>
    public const double NormalityAlpha = 0.05;

    public static MeanRatioEstimate Estimate(ReadOnlySpan<double> logRatios, double level = 0.95)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentException($"level must lie in (0, 1) (got {level})");
        bool overflow = logRatios.Contains(double.PositiveInfinity);
        var x = Finite(logRatios);
        int n = x.Length;
        double threshold = n > 1 ? ParetoKhat.Threshold(n) : 0;
        if (n < 2 || overflow)
            return new MeanRatioEstimate(n, n == 1 && !overflow ? x[0] : null, null, threshold, null, NotEstimable, false, null, null, null, level);
        double lme = LogSumExp.LogMeanExp(x);
        double khat = ParetoKhat.Estimate(x);
        double? k = double.IsFinite(khat) ? khat : null;
        double? p = n >= AndersonDarling.MinSize ? AndersonDarling.NormalityTest(x).PValue : null;
        MeanRatioEstimate Result(string method, (double Estimate, double Lo, double Hi)? ci) =>
            new(n, lme, k, threshold, p, method, ci is not null, ci?.Estimate, ci?.Lo, ci?.Hi, level);
        if (p >= NormalityAlpha) return Result(LogNormal, LogNormalInterval(x, level));
        if (khat < threshold) return Result(SampleMean, SampleMeanInterval(x, level));
        return Result(NotEstimable, null);
    }

    /// <summary>
    /// The log-normal mean log E[r] = μ + σ²/2 from the sample mean and (n − 1) variance of x, with the
    /// delta-method interval: Var(μ̂ + σ̂²/2) = σ²/n + σ⁴/(2(n − 1)) (Zhou &amp; Gao 1997, "Confidence intervals
    /// for the log-normal mean", Stat. Med. 16, the Cox method). Valid only for Gaussian x.
    /// </summary>
    public static (double Estimate, double Lo, double Hi) LogNormalInterval(ReadOnlySpan<double> x, double level = 0.95)
    {
        int n = x.Length;
        if (n < 2) throw new ArgumentException("the log-normal interval needs at least 2 values");
        double mean = 0;
        foreach (var v in x) mean += v;
        mean /= n;
        double ss = 0;
        foreach (var v in x) ss += (v - mean) * (v - mean);
        double var = ss / (n - 1);
        double est = mean + var / 2;
        double se = Math.Sqrt(var / n + var * var / (2.0 * (n - 1)));
        double z = Normal.InvCDF(0, 1, 0.5 + level / 2);
        return (est, est - z * se, est + z * se);
    }

    /// <summary>
    /// log of the sample mean of r = exp(x), computed as max + log mean exp(x − max), with the normal
    /// interval mapped to the log scale by the delta method: log r̄ ± t_{n−1} s_r/(r̄ √n), which keeps the
    /// lower end finite and leans upward like the skewed law of r̄. Trust it only where k̂ is small.
    /// </summary>
    public static (double Estimate, double Lo, double Hi) SampleMeanInterval(ReadOnlySpan<double> x, double level = 0.95)
    {
        int n = x.Length;
        if (n < 2) throw new ArgumentException("the sample-mean interval needs at least 2 values");
        double max = double.NegativeInfinity;
        foreach (var v in x) max = Math.Max(max, v);
        double mean = 0;
        foreach (var v in x) mean += Math.Exp(v - max);
        mean /= n;
        double ss = 0;
        foreach (var v in x) ss += (Math.Exp(v - max) - mean) * (Math.Exp(v - max) - mean);
        double relSe = Math.Sqrt(ss / (n - 1) / n) / mean;
        double t = StudentT.InvCDF(0, 1, n - 1, 0.5 + level / 2);
        double est = max + Math.Log(mean);
        return (est, est - t * relSe, est + t * relSe);
    }

    private static double[] Finite(ReadOnlySpan<double> x)
    {
        var result = new List<double>(x.Length);
        foreach (var v in x) if (double.IsFinite(v)) result.Add(v);
        return [.. result];
    }
}
