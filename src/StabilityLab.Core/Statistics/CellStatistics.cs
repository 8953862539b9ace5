using System.Globalization;
using MathNet.Numerics.Statistics;
using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;

namespace StabilityLab.Statistics;

/// <summary>
/// The statistics of one cell (docs/file-formats.md, cells.csv) over its live trials. All norms are logs of
/// squared-norm ratios. Quantiles are MathNet's default (R-8, median-unbiased) on the sorted
/// sample. fwd_log_mean_sq and its interval come from <see cref="MeanRatio"/> (docs/statistics.md): the method's
/// estimate with an honest 95% interval, or, when not estimable, the plain log-mean-exp and no interval (NaN).
/// blowup_frac carries its Clopper–Pearson 95% interval.
/// A cell with fewer than <see cref="MinLiveTrials"/> live trials has no statistics: every statistic is NaN
/// (an empty field in files) and <see cref="Status"/> says why.
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
    double BlowupFracHi,
    double FwdRatioKhat = double.NaN,
    bool FwdLogMeanSqOk = false,
    string FwdLogMeanSqMethod = MeanRatio.NotEstimable,
    string Status = CellStatistics.Measured)
{
    /// <summary>Default blow-up level K: a trial blows up when ‖h_L‖/‖h_0‖ &gt; K.</summary>
    public const double DefaultBlowupLevel = 10.0;

    /// <summary>Bootstrap resamples of <see cref="BootstrapLogMeanExp"/> (no longer used for cells.csv).</summary>
    public const int DefaultBootstrap = 1000;

    /// <summary>Live trials a cell needs for statistics: a standard deviation needs two values.</summary>
    public const int MinLiveTrials = 2;

    /// <summary><see cref="Status"/> of a cell with statistics.</summary>
    public const string Measured = "measured";

    /// <summary><see cref="Status"/> of a cell with fewer than <see cref="MinLiveTrials"/> live trials.</summary>
    public const string TooFewLive = "too-few-live-trials";

    /// <summary>True when the statistics exist (enough live trials).</summary>
    public bool HasStatistics => Status == Measured;

    /// <summary>
    /// The statistics of a cell's trials; a cell with fewer than <see cref="MinLiveTrials"/> live trials gets
    /// <see cref="None"/>. <paramref name="bootstrap"/> and <paramref name="bootstrapSeed"/> are checked and kept
    /// for callers' compatibility: no statistic of a cell uses a bootstrap any more.
    /// </summary>
    public static CellStatistics Compute(IReadOnlyList<TrialSummary> trials, double blowupLevel = DefaultBlowupLevel,
        int bootstrap = DefaultBootstrap, ulong bootstrapSeed = 0)
    {
        // Each of these is a user's choice (a level, a resample count): bad input, not a bug.
        CheckBlowupLevel(blowupLevel);
        CheckBootstrap(bootstrap);
        _ = bootstrapSeed;
        var live = trials.Where(t => !t.Dead).ToArray();
        int dead = trials.Count - live.Length;
        if (live.Length < MinLiveTrials) return None(live.Length, dead);
        var fwd = live.Select(t => t.Forward).ToArray();
        var bwd = live.Select(t => t.Backward).ToArray();
        var fwdSorted = (double[])fwd.Clone();
        Array.Sort(fwdSorted);
        var bwdSorted = (double[])bwd.Clone();
        Array.Sort(bwdSorted);
        var mean = MeanRatio.Estimate(fwd);
        double threshold = 2 * Math.Log(blowupLevel);
        int blowups = fwd.Count(v => v > threshold);
        var (bLo, bHi) = BinomialInterval.ClopperPearson(blowups, live.Length);
        return new CellStatistics(
            Trials: live.Length,
            DeadTrials: dead,
            FwdLogSqMean: fwd.Mean(),
            FwdLogSqSd: fwd.StandardDeviation(),
            FwdLogSqQ05: SortedArrayStatistics.Quantile(fwdSorted, 0.05),
            FwdLogSqQ50: SortedArrayStatistics.Quantile(fwdSorted, 0.50),
            FwdLogSqQ95: SortedArrayStatistics.Quantile(fwdSorted, 0.95),
            // Not estimable: the plain log-mean-exp, finite for finite draws, stays as the point estimate.
            FwdLogMeanSq: mean.Estimate ?? mean.LogMeanExp ?? LogSumExp.LogMeanExp(fwd),
            FwdLogMeanSqLo: mean.Lo ?? double.NaN,
            FwdLogMeanSqHi: mean.Hi ?? double.NaN,
            FwdMaxLogSqMean: live.Select(t => t.ForwardMax).Mean(),
            BwdLogSqMean: bwd.Mean(),
            BwdLogSqSd: bwd.StandardDeviation(),
            BwdLogSqQ50: SortedArrayStatistics.Quantile(bwdSorted, 0.50),
            BlowupFrac: blowups / (double)live.Length,
            BlowupFracLo: bLo,
            BlowupFracHi: bHi,
            FwdRatioKhat: mean.Khat ?? double.NaN,
            FwdLogMeanSqOk: mean.Ok,
            FwdLogMeanSqMethod: mean.Method);
    }

    /// <summary>A cell without statistics: every statistic NaN (empty in files), not estimable.</summary>
    public static CellStatistics None(int liveTrials, int deadTrials) => new(liveTrials, deadTrials,
        double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
        double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, Status: TooFewLive);

    /// <summary>K must be finite and above 1: at K ≤ 1 every trial whose norm does not shrink would count as a blow-up.</summary>
    public static double CheckBlowupLevel(double blowupLevel) =>
        blowupLevel > 1 && double.IsFinite(blowupLevel) ? blowupLevel
        : throw new SpecException(string.Create(CultureInfo.InvariantCulture, $"blow-up level must be a finite number above 1 (got {blowupLevel})"));

    public static int CheckBootstrap(int resamples) =>
        resamples >= 0 ? resamples : throw new SpecException($"bootstrap resamples must be 0 or more (got {resamples})");

    /// <summary>
    /// Percentile bootstrap 95% interval of log mean exp(x), resampling with a counter-based stream. It under-covers
    /// once x spreads (docs/statistics.md); kept as the reference the coverage tests compare <see cref="MeanRatio"/> with.
    /// </summary>
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
