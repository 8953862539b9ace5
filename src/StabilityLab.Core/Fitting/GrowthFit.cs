namespace StabilityLab.Fitting;

/// <summary>log E ratio at one depth with its 95% interval (fwd_log_mean_sq and its bootstrap bounds).</summary>
public sealed record GrowthPoint(int Depth, double LogMeanRatio, double Lo, double Hi);

/// <summary>
/// Growth laws of log E[‖h_L‖²/‖h_0‖²] in L (docs/science.md §2 claims 1–2): the slope of
/// log(log E ratio) against log L, by weighted least squares, with the SE of each point from its
/// interval by the delta method (se ≈ (hi − lo)/(3.92·log E)). For τ = L^(−1/2+c) the theory
/// predicts slope → 2c; for τ = a/√L, slope → 0 (log E ratio → 2a²).
/// </summary>
public static class GrowthFit
{
    public static LineFit? Slope(IReadOnlyList<GrowthPoint> points, int minDepth = 1)
    {
        var pts = points.Where(p => p.Depth >= minDepth && p.LogMeanRatio > 0 && p.Hi > p.Lo).OrderBy(p => p.Depth).ToList();
        if (pts.Count < 3) return null;
        return WeightedLineFit.Fit(
            pts.Select(p => Math.Log(p.Depth)).ToArray(),
            pts.Select(p => Math.Log(p.LogMeanRatio)).ToArray(),
            pts.Select(p => (p.Hi - p.Lo) / (3.92 * p.LogMeanRatio)).ToArray());
    }

    /// <summary>The local slope of log(log Q_L) against log L of a theory curve over the same depths (ordinary least squares).</summary>
    public static double TheorySlope(IReadOnlyList<int> depths, Func<int, double> logRatio)
    {
        var x = depths.Select(d => Math.Log(d)).ToArray();
        var y = depths.Select(d => Math.Log(logRatio(d))).ToArray();
        return MathNet.Numerics.Fit.Line(x, y).B;
    }
}
