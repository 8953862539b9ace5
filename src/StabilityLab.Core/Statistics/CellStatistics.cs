using System.Globalization;
using MathNet.Numerics.Statistics;
using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;

namespace StabilityLab.Statistics;

/// <summary>
/// The statistics of one cell (docs/file-formats.md, cells.csv) over its live trials. All norms are logs of
/// squared-norm ratios. Quantiles are MathNet's default (R-8, median-unbiased) on the sorted
/// sample. fwd_log_mean_sq = log mean exp(fwd_log_sq), with a percentile bootstrap 95% interval;
/// blowup_frac with its Clopper–Pearson 95% interval.
/// </summary>
public sealed record CellStatistics(
    int Trials,
    int DeadTrials,
    double FwdLogSqMean,
    double FwdLogSqSd,
    double FwdLogSqQ05,
    double FwdLogSqQ50,
    double FwdLogSqQ95,
    double FwdLogMeanSq,
    double FwdLogMeanSqLo,
    double FwdLogMeanSqHi,
    double FwdMaxLogSqMean,
    double BwdLogSqMean,
    double BwdLogSqSd,
    double BwdLogSqQ50,
    double BlowupFrac,
    double BlowupFracLo,
    double BlowupFracHi)
{
    /// <summary>Default blow-up level K: a trial blows up when ‖h_L‖/‖h_0‖ &gt; K.</summary>
    public const double DefaultBlowupLevel = 10.0;

    /// <summary>Bootstrap resamples for the interval of fwd_log_mean_sq.</summary>
    public const int DefaultBootstrap = 1000;

    public static CellStatistics Compute(IReadOnlyList<TrialSummary> trials, double blowupLevel = DefaultBlowupLevel,
        int bootstrap = DefaultBootstrap, ulong bootstrapSeed = 0)
    {
        // Each of these is a user's choice (a level, a resample count, a width too small to keep a trial alive): bad input, not a bug.
        CheckBlowupLevel(blowupLevel);
        CheckBootstrap(bootstrap);
        var live = trials.Where(t => !t.Dead).ToArray();
        int dead = trials.Count - live.Length;
        if (live.Length == 0)
            throw new SpecException($"all {trials.Count} trials died (a layer became exactly zero); increase the width");
        var fwd = live.Select(t => t.Forward).ToArray();
        var bwd = live.Select(t => t.Backward).ToArray();
        var fwdSorted = (double[])fwd.Clone();
        Array.Sort(fwdSorted);
        var bwdSorted = (double[])bwd.Clone();
        Array.Sort(bwdSorted);
        double lme = LogSumExp.LogMeanExp(fwd);
        var (lo, hi) = BootstrapLogMeanExp(fwd, bootstrap, bootstrapSeed);
        double threshold = 2 * Math.Log(blowupLevel);
        int blowups = fwd.Count(v => v > threshold);
        var (bLo, bHi) = BinomialInterval.ClopperPearson(blowups, live.Length);
        return new CellStatistics(
            Trials: live.Length,
            DeadTrials: dead,
            FwdLogSqMean: fwd.Mean(),
            FwdLogSqSd: live.Length > 1 ? fwd.StandardDeviation() : 0.0,
            FwdLogSqQ05: SortedArrayStatistics.Quantile(fwdSorted, 0.05),
            FwdLogSqQ50: SortedArrayStatistics.Quantile(fwdSorted, 0.50),
            FwdLogSqQ95: SortedArrayStatistics.Quantile(fwdSorted, 0.95),
            FwdLogMeanSq: lme,
            FwdLogMeanSqLo: lo,
            FwdLogMeanSqHi: hi,
            FwdMaxLogSqMean: live.Select(t => t.ForwardMax).Mean(),
            BwdLogSqMean: bwd.Mean(),
            BwdLogSqSd: live.Length > 1 ? bwd.StandardDeviation() : 0.0,
            BwdLogSqQ50: SortedArrayStatistics.Quantile(bwdSorted, 0.50),
            BlowupFrac: blowups / (double)live.Length,
            BlowupFracLo: bLo,
            BlowupFracHi: bHi);
    }

    /// <summary>K must be finite and above 1: at K ≤ 1 every trial whose norm does not shrink would count as a blow-up.</summary>
    public static double CheckBlowupLevel(double blowupLevel) =>
        blowupLevel > 1 && double.IsFinite(blowupLevel) ? blowupLevel
        : throw new SpecException(string.Create(CultureInfo.InvariantCulture, $"blow-up level must be a finite number above 1 (got {blowupLevel})"));

    public static int CheckBootstrap(int resamples) =>
        resamples >= 0 ? resamples : throw new SpecException($"bootstrap resamples must be 0 or more (got {resamples})");

    /// <summary>Percentile bootstrap 95% interval of log mean exp(x), resampling with a counter-based stream.</summary>
    public static (double Lo, double Hi) BootstrapLogMeanExp(double[] x, int resamples, ulong seed)
    {
        int n = x.Length;
        if (n < 2 || resamples < 2)
        {
            double v = LogSumExp.LogMeanExp(x);
            return (v, v);
        }
        var est = new double[resamples];
        var sample = new double[n];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < n; i += 2)
            {
                var (r0, r1) = Threefry2x64.Block((ulong)i, (ulong)b, seed, 0xB007);
                sample[i] = x[(int)(((UInt128)r0 * (ulong)n) >> 64)];
                if (i + 1 < n) sample[i + 1] = x[(int)(((UInt128)r1 * (ulong)n) >> 64)];
            }
            est[b] = LogSumExp.LogMeanExp(sample);
        }
        Array.Sort(est);
        return (SortedArrayStatistics.Quantile(est, 0.025), SortedArrayStatistics.Quantile(est, 0.975));
    }
}
