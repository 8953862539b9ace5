using MathNet.Numerics.Distributions;

namespace StabilityLab.Fitting;

/// <summary>One cell as a bound check sees it: (L, τ, m), the estimate of log E ratio and its standard error.</summary>
public sealed record BoundCell(int Depth, double Tau, int Width, double LogMeanRatio, double Se);

/// <summary>The outcome of checking a bound on many cells.</summary>
public sealed record BoundVerdict(bool Consistent, int Cells, int Contradicting, double WorstZ, BoundCell? Worst, double CriticalZ)
{
    /// <summary>The p-value of "some cell lies beyond its bound": the worst cell's one-sided p times the number of cells (Bonferroni), at most 1.</summary>
    public double PValue => Math.Min(1, Cells * (1 - Normal.CDF(0, 1, WorstZ)));
}

/// <summary>
/// Statistical checks of bounds against measured cells, usable from notebooks with a
/// bound of one's own. A cell contradicts a bound when its estimate lies beyond it by more than z*
/// standard errors, z* the one-sided normal quantile at level α/n (Bonferroni over the n cells).
/// Exceedance claims use Clopper–Pearson intervals.
/// </summary>
public static class BoundCheck
{
    /// <summary>
    /// Checks log E[‖h_L‖²/‖h_0‖²] ∈ [lower(L, τ, m), upper(L, τ, m)] (either side may be null): the
    /// notebook entry point for a bound of one's own.
    /// </summary>
    public static BoundVerdict LogMeanRatio(IReadOnlyList<BoundCell> cells, Func<int, double, int, double>? logLower,
        Func<int, double, int, double>? logUpper, double alpha = 0.05) =>
        LogMeanRatio(cells, c => (logLower?.Invoke(c.Depth, c.Tau, c.Width) ?? double.NegativeInfinity,
                                  logUpper?.Invoke(c.Depth, c.Tau, c.Width) ?? double.PositiveInfinity), alpha);

    /// <summary>Checks each cell against its own interval [lower, upper] of log E ratio (±∞ for an open side).</summary>
    public static BoundVerdict LogMeanRatio(IReadOnlyList<BoundCell> cells, Func<BoundCell, (double Lower, double Upper)> bounds, double alpha = 0.05)
    {
        if (cells.Count == 0) throw new ArgumentException("no cells to check");
        double zCrit = Normal.InvCDF(0, 1, 1 - alpha / cells.Count);
        int bad = 0;
        double worstZ = double.NegativeInfinity;
        BoundCell? worst = null;
        foreach (var c in cells)
        {
            double se = Math.Max(c.Se, 1e-300);
            var (lo, hi) = bounds(c);
            double z = Math.Max((c.LogMeanRatio - hi) / se, (lo - c.LogMeanRatio) / se);
            if (z > zCrit) bad++;
            if (z > worstZ) { worstZ = z; worst = c; }
        }
        return new BoundVerdict(bad == 0, cells.Count, bad, worstZ, worst, zCrit);
    }
}
