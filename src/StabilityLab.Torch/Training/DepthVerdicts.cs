using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace StabilityLab.Torch.Training;

/// <summary>The runs of one depth for one τ rule and step size.</summary>
public sealed record DepthSummary(
    int Depth,
    int Runs,
    int Diverged,
    int Stalled,
    double? MeanRate,
    double? RateLower,
    double? RateUpper,
    double? MeanTestAccuracy)
{
    /// <summary>Mean ‖θ_T − θ_0‖/‖θ_0‖ of the runs that did not diverge.</summary>
    public double? MeanWeightChange { get; init; }
}

/// <summary>
/// How the linear rate of one τ rule (at one step size) depends on depth, and the two verdicts of docs/science.md §2
/// claim 4 that the training sweep checks:
/// <list type="bullet">
/// <item><see cref="RateHoldsWithDepth"/> (the test for τ = 1/√L): every run at every depth trains without diverging or
/// stalling, and the mean rate at the deepest depth is at least <see cref="DepthVerdicts.RatioThreshold"/> (0.5) times the
/// mean rate at the shallowest. The slope of rate against ln L with its 95% t-interval is reported beside it
/// (<see cref="SlopeContainsZero"/>); it is not the verdict because deterministic curves make that interval tight.</item>
/// <item><see cref="DeepRunsFail"/> (the test for τ = 1): every run at the deepest depth diverges or stalls (final loss
/// above <see cref="DepthVerdicts.StallRatio"/> (0.5) times the initial loss).</item>
/// </list>
/// </summary>
public sealed record DepthTrend(
    string TauRule,
    double StepSize,
    IReadOnlyList<DepthSummary> Depths,
    double? Slope,
    double? SlopeLower,
    double? SlopeUpper,
    double? DeepToShallowRatio,
    bool RateHoldsWithDepth,
    bool DeepRunsFail,
    int? FailsFromDepth)
{
    /// <summary>Whether a run belongs to this trend: its τ rule, at the trend's step size (any, where the step size
    /// varies with depth: <see cref="double.NaN"/>).</summary>
    public bool Includes(SweepRun r) => r.TauRule == TauRule && (double.IsNaN(StepSize) || r.StepSize == StepSize);

    /// <summary>True when the 95% interval of the slope of rate against ln L contains 0.</summary>
    public bool? SlopeContainsZero => SlopeLower is null ? null : SlopeLower <= 0 && SlopeUpper >= 0;
}

/// <summary>Per-depth summaries and verdicts of a training sweep (see <see cref="DepthTrend"/>).</summary>
public static class DepthVerdicts
{
    /// <summary>Deepest/shallowest mean rate at or above which the rate "does not fall with depth".</summary>
    public const double RatioThreshold = 0.5;

    /// <summary>A run whose final loss is above this fraction of its initial loss has stalled.</summary>
    public const double StallRatio = 0.5;

    /// <summary>One <see cref="DepthTrend"/> per (τ rule, step size) of the runs, in order of first appearance; a τ rule
    /// whose step size varies with depth, one per depth ("lr": "largest-stable"), is one trend with step size NaN.</summary>
    public static IReadOnlyList<DepthTrend> Analyze(IEnumerable<SweepRun> runs)
    {
        var list = runs.ToList();
        var byDepth = list.GroupBy(r => r.TauRule)
            .Where(g => g.Select(r => r.StepSize).Distinct().Count() > 1 && g.GroupBy(r => r.Depth).All(d => d.Select(r => r.StepSize).Distinct().Count() == 1))
            .Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return list.GroupBy(r => (r.TauRule, StepSize: byDepth.Contains(r.TauRule) ? double.NaN : r.StepSize))
            .Select(g => Analyze(g.ToList(), g.Key.TauRule, g.Key.StepSize)).ToList();
    }

    /// <summary>The trend of runs that share one τ rule and step size.</summary>
    public static DepthTrend Analyze(IReadOnlyList<SweepRun> runs, string tauRule, double stepSize)
    {
        var depths = new List<DepthSummary>();
        foreach (var g in runs.GroupBy(r => r.Depth).OrderBy(g => g.Key))
        {
            var list = g.ToList();
            var rates = list.Where(r => r.Outcome != TrainingOutcome.Diverged && r.Rate is not null).Select(r => r.Rate!.Rate).ToArray();
            // The interval is a sampling interval over seeds (t, n − 1): with one seed there is none. The fit interval of a
            // single curve measures how straight the curve is, not how the rate varies with the draw (docs/statistics.md).
            double? mean = null, lo = null, hi = null;
            if (rates.Length >= 1)
            {
                mean = rates.Average();
                if (rates.Length >= 2)
                {
                    double half = StudentT.InvCDF(0, 1, rates.Length - 1, 0.975) * rates.StandardDeviation() / Math.Sqrt(rates.Length);
                    (lo, hi) = (mean - half, mean + half);
                }
            }
            var accs = list.Where(r => r.TestAccuracy is not null).Select(r => r.TestAccuracy!.Value).ToArray();
            depths.Add(new DepthSummary(g.Key, list.Count,
                list.Count(r => r.Outcome == TrainingOutcome.Diverged),
                list.Count(r => r.Stalled(StallRatio)),
                mean, lo, hi, accs.Length > 0 ? accs.Average() : null)
            {
                MeanWeightChange = list.Where(r => r.Outcome != TrainingOutcome.Diverged && r.WeightChange is not null)
                    .Select(r => r.WeightChange!.Value).DefaultIfEmpty(double.NaN).Average() is var w && double.IsFinite(w) ? w : null,
            });
        }

        var ok = runs.Where(r => r.Outcome != TrainingOutcome.Diverged && r.Rate is not null).ToList();
        var line = ok.Select(r => r.Depth).Distinct().Count() >= 2
            ? RateFit.Line(ok.Select(r => Math.Log(r.Depth)).ToArray(), ok.Select(r => r.Rate!.Rate).ToArray())
            : null;

        double? ratio = null;
        if (depths.Count >= 2 && depths[0].MeanRate is > 0 && depths[^1].MeanRate is double deep)
            ratio = deep / depths[0].MeanRate!.Value;
        bool allTrain = depths.All(d => d.Diverged == 0 && d.Stalled == 0 && d.MeanRate is not null);
        bool holds = depths.Count >= 2 && allTrain && ratio >= RatioThreshold;

        bool Fails(DepthSummary d) => d.Diverged + d.Stalled >= d.Runs;
        bool deepFail = depths.Count > 0 && Fails(depths[^1]);
        int? from = null;
        for (int i = depths.Count - 1; i >= 0 && Fails(depths[i]); i--) from = depths[i].Depth;

        return new DepthTrend(tauRule, stepSize, depths, line?.Slope, line?.Lower, line?.Upper, ratio, holds, deepFail, from);
    }
}
