using StabilityLab.Models;
using StabilityLab.Randomness;

namespace StabilityLab.Fitting;

/// <summary>The τ grid of one (block, width, depth) group: τ values and each trial's log(‖h_L‖²/‖h_0‖²) (NaN for a dead trial), trials aligned across τ.</summary>
public sealed record ThresholdGroup(BlockKind Block, int Width, int Depth, double[] Taus, double[][] ForwardLogSq);

/// <summary>
/// τ*(L) of one group with a percentile-bootstrap 95% interval and the bootstrap SE of log τ*. <see cref="TauGrid"/> holds the
/// τ grid it was interpolated on, ascending (null where unknown), so a prediction can be passed through the same
/// interpolation.
/// </summary>
public sealed record ThresholdEstimate(BlockKind Block, int Width, int Depth, double TauStar, double Lo, double Hi, double LogTauSe, int Resamples)
{
    public IReadOnlyList<double>? TauGrid { get; init; }
}

/// <summary>τ* = C·L^α fitted over depths.</summary>
public sealed record ThresholdLaw(LineFit Line, IReadOnlyList<ThresholdEstimate> Points)
{
    public double Alpha => Line.Slope;
    public double C => Math.Exp(Line.Intercept);
}

/// <summary>
/// The empirical stability threshold (docs/science.md §2 claim 3): for each depth, τ*(L) where
/// the median of log(‖h_L‖²/‖h_0‖²) crosses 2·log K, by monotone interpolation in log τ; its interval
/// from a bootstrap over trials that resamples the same trial indices at every τ (the draws are
/// common across τ). Then τ* = C·L^α by weighted least squares in log–log.
/// </summary>
public static class ThresholdFit
{
    public static ThresholdEstimate? Estimate(ThresholdGroup g, double blowupLevel = 10, int resamples = 400, ulong seed = 1)
    {
        double level = 2 * Math.Log(blowupLevel);
        int n = g.ForwardLogSq[0].Length;
        var point = ThresholdCrossing.LogTau(g.Taus, g.ForwardLogSq.Select(v => Median(v, null)).ToArray(), level, ThresholdCrossing.Log);
        if (point is null) return null;
        var boot = new List<double>(resamples);
        var idx = new int[n];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < n; i++)
            {
                var (r, _) = Threefry2x64.Block((ulong)i, (ulong)b, seed, ((ulong)g.Depth << 32) ^ (ulong)g.Width);
                idx[i] = (int)(((UInt128)r * (ulong)n) >> 64);
            }
            var crossing = ThresholdCrossing.LogTau(g.Taus, g.ForwardLogSq.Select(v => Median(v, idx)).ToArray(), level, ThresholdCrossing.Log);
            if (crossing is { } c) boot.Add(c);
        }
        if (boot.Count < resamples / 2) return null; // the crossing sits at the grid's edge in most resamples
        boot.Sort();
        double lo = MathNet.Numerics.Statistics.SortedArrayStatistics.Quantile(boot.ToArray(), 0.025);
        double hi = MathNet.Numerics.Statistics.SortedArrayStatistics.Quantile(boot.ToArray(), 0.975);
        double mean = boot.Average();
        double se = Math.Sqrt(boot.Sum(v => (v - mean) * (v - mean)) / (boot.Count - 1));
        return new ThresholdEstimate(g.Block, g.Width, g.Depth, Math.Exp(point.Value), Math.Exp(lo), Math.Exp(hi), Math.Max(se, 1e-12), boot.Count)
        {
            TauGrid = g.Taus.Order().ToArray(),
        };
    }

    /// <summary>Fits log τ* = log C + α log L over the estimates with depth ≥ <paramref name="minDepth"/>.</summary>
    public static ThresholdLaw? Law(IReadOnlyList<ThresholdEstimate> estimates, int minDepth = 1)
    {
        var pts = estimates.Where(e => e.Depth >= minDepth).OrderBy(e => e.Depth).ToList();
        if (pts.Count < 3) return null;
        var line = WeightedLineFit.Fit(pts.Select(p => Math.Log(p.Depth)).ToArray(), pts.Select(p => Math.Log(p.TauStar)).ToArray(),
            pts.Select(p => p.LogTauSe).ToArray());
        return new ThresholdLaw(line, pts);
    }

    private static double Median(double[] values, int[]? idx)
    {
        var live = new List<double>(values.Length);
        if (idx is null) live.AddRange(values.Where(double.IsFinite));
        else foreach (var i in idx) if (double.IsFinite(values[i])) live.Add(values[i]);
        if (live.Count == 0) return double.NaN;
        live.Sort();
        return MathNet.Numerics.Statistics.SortedArrayStatistics.Quantile(live.ToArray(), 0.5);
    }
}
