using MathNet.Numerics.Statistics;
using StabilityLab.Tables;

namespace StabilityLab.Claims;

/// <summary>
/// The data of one study read back (cells.csv and raw.csv), and a claim's statistic in each of its cells with a
/// standard error: log_mean from the cell's estimator (docs/statistics.md; its 95% interval / 3.92, and only where the
/// k̂ diagnostic trusts it), mean_log as the sample mean (sd/√n), quantiles with the distribution-free order-statistic
/// interval (the ranks n·p ± 1.96·√(n·p(1−p)), divided by 3.92).
/// </summary>
public sealed class StudyData
{
    private readonly Dictionary<string, double[][]> _raw = new(StringComparer.Ordinal);
    private readonly string _rawPath;

    public string Directory { get; }
    public IReadOnlyList<CellRow> Cells { get; }

    public StudyData(string directory)
    {
        Directory = directory;
        Cells = CellsTable.Read(Path.Combine(directory, Sweeps.SweepRunner.CellsFile));
        _rawPath = Path.Combine(directory, Sweeps.SweepRunner.RawFile);
    }

    /// <summary>values[cell][trial] of a raw.csv column (NaN for dead trials), read once.</summary>
    public double[][] Raw(string column)
    {
        if (!_raw.TryGetValue(column, out var v))
            _raw[column] = v = RawTable.Read(_rawPath, column, Cells.Count, Cells.Max(c => c.Trials));
        return v;
    }
}

public static class ClaimMeasurement
{
    /// <summary>The raw.csv column of a quantity.</summary>
    public static string Column(Quantity q) => q switch
    {
        Quantity.Forward => "fwd_log_sq",
        Quantity.Backward => "bwd_log_sq",
        _ => "fwd_max_log_sq",
    };

    /// <summary>The indices (in cells.csv) of the cells of the study that belong to the claim: its τ rule or family members.</summary>
    public static IReadOnlyList<int> CellsOf(Claim claim, StudyData data)
    {
        var rules = claim.TauEntry.Expand().ToHashSet();
        return Enumerable.Range(0, data.Cells.Count).Where(i => rules.Contains(data.Cells[i].Rule)).ToList();
    }

    /// <summary>The claim's statistic in each of its cells, in the order of cells.csv.</summary>
    public static IReadOnlyList<DepthPoint> Points(Claim claim, StudyData data)
    {
        var raw = claim.Statistic == Statistic.LogMean ? null : data.Raw(Column(claim.Quantity));
        return CellsOf(claim, data).Select(i => Point(claim.Statistic, data.Cells[i], raw?[i])).ToList();
    }

    public static DepthPoint Point(Statistic s, CellRow c, double[]? trials)
    {
        if (s == Statistic.LogMean)
            return c.HasTrustedMean
                ? new DepthPoint(c.Depth, c.Tau, c.FwdLogMeanSq, (c.FwdLogMeanSqHi - c.FwdLogMeanSqLo) / 3.92)
                : new DepthPoint(c.Depth, c.Tau, double.NaN, double.NaN,
                    $"log E not estimable from {c.Trials - c.DeadTrials} trials ({(c.FwdLogMeanSqMethod.Length > 0 ? c.FwdLogMeanSqMethod : c.Status)})");
        var x = trials!.Where(double.IsFinite).ToArray();
        if (x.Length < 2) return new DepthPoint(c.Depth, c.Tau, double.NaN, double.NaN, $"{x.Length} live trials");
        if (s == Statistic.MeanLog) return new DepthPoint(c.Depth, c.Tau, x.Mean(), x.StandardDeviation() / Math.Sqrt(x.Length));
        double p = s switch { Statistic.Median => 0.5, Statistic.Q05 => 0.05, _ => 0.95 };
        Array.Sort(x);
        int n = x.Length;
        double half = 1.96 * Math.Sqrt(n * p * (1 - p));
        int lo = (int)Math.Floor(n * p - half), hi = (int)Math.Ceiling(n * p + half);
        if (lo < 0 || hi > n - 1)
            return new DepthPoint(c.Depth, c.Tau, double.NaN, double.NaN, $"{n} trials are too few for an interval of the {p:P0} quantile");
        return new DepthPoint(c.Depth, c.Tau, SortedArrayStatistics.Quantile(x, p), Math.Max(x[hi] - x[lo], 1e-300) / 3.92);
    }
}
