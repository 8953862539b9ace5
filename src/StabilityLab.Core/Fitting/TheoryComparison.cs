using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Sweeps;
using StabilityLab.Tables;
using StabilityLab.Theory;

namespace StabilityLab.Fitting;

/// <summary>One statistic of one cell: the finite-width prediction, the measurement and z = (measured − predicted)/SE.</summary>
public readonly record struct TheoryStat(double Predicted, double Measured, double Z);

/// <summary>
/// A cell of a sweep against the finite-width theory (docs/finite-width.md): forward and backward log-ratio
/// mean and sd. Status is "inside"/"outside" the validated regime, or "skipped: …" when no prediction was made
/// (then the statistics are NaN). A statistic the theory does not predict for the block (res1's backward) is NaN alone.
/// </summary>
public sealed record TheoryCellComparison(int Width, int Depth, double Tau, string Rule, int Trials, int OutputDim,
    TheoryStat FwdMean, TheoryStat FwdSd, TheoryStat BwdMean, TheoryStat BwdSd, bool Inside, string Status)
{
    public BlockKind Block { get; init; } = BlockKind.Post;
    public Activation Activation { get; init; } = Activation.Relu;

    public bool Predicted => !double.IsNaN(FwdMean.Predicted);

    /// <summary>The largest |z| of the predicted statistics (NaN when none is).</summary>
    public double MaxAbsZ => new[] { FwdMean.Z, FwdSd.Z, BwdMean.Z, BwdSd.Z }.Where(z => !double.IsNaN(z)).Select(Math.Abs).DefaultIfEmpty(double.NaN).Max();
}

/// <summary>
/// Every cell of a sweep whose block the theory covers (<see cref="FiniteWidthTheory.Covers"/>) compared with <see cref="FiniteWidthTheory.Predict"/>: z-scores with SE of a mean
/// sd/√n and of an sd ≈ sd/√(2(n−1)) (Gaussian data). Cells outside the validated regime are compared too and flagged;
/// cells whose density grid would not fit in memory (see <see cref="MaxStoredPoints"/>) are skipped and say so.
/// </summary>
public static class TheoryComparison
{
    /// <summary>
    /// Cells whose evolution would store more grid points than this are skipped: the memory limit of
    /// <see cref="FiniteWidthTheory.Predict"/> itself, with no lower cost cap (`fit` on the quick report's grid, every
    /// cell Predict accepts, takes ≈ 12 s: docs/finite-width.md §8).
    /// </summary>
    public const double MaxStoredPoints = FiniteWidthTheory.MaxStoredPoints;

    /// <summary>|z| up to this counts as agreement (≈ 4 SE, the project's tolerance).</summary>
    public const double ZLimit = 4;

    public static IReadOnlyList<TheoryCellComparison> Compare(IEnumerable<CellRow> cells, int outputDim = 1)
    {
        // Cells are independent and Predict is deterministic: in parallel, results in the cells' order.
        return cells.Where(c => FiniteWidthTheory.Covers(c.Block, c.Activation)).DistinctBy(c => (c.Block, c.Activation, c.Width, c.Depth, c.Tau, c.Trials, c.Seed))
            .AsParallel().AsOrdered().Select(c => Compare(c, outputDim)).ToList();
    }

    public static TheoryCellComparison Compare(CellRow c, int outputDim = 1)
    {
        var spec = new NetworkSpec(c.Width, c.Depth, c.Rule, c.Block, c.Activation, c.Weights, outputDim: outputDim);
        var tau = spec.TauSchedule();
        var regime = FiniteWidthTheory.RegimeOf(spec, tau);
        var nan = new TheoryStat(double.NaN, double.NaN, double.NaN);
        string? skip = c.Weights != WeightLaw.Gaussian ? "skipped: non-Gaussian weights"
            : SweepAnalysis.IsPostRelu(c) && FiniteWidthTheory.GridPoints(tau) is var pts && pts > MaxStoredPoints ? F($"skipped: {pts:G3} grid points (memory limit {MaxStoredPoints:G3})")
            : null;
        if (skip is null)
        {
            try
            {
                var p = FiniteWidthTheory.Predict(spec);
                int n = c.Trials;
                return new TheoryCellComparison(c.Width, c.Depth, c.Tau, c.Rule.ToString(), n, outputDim,
                    Mean(p.FwdLogSqMean, c.FwdLogSqMean, c.FwdLogSqSd, n), Sd(p.FwdLogSqSd, c.FwdLogSqSd, n),
                    Mean(p.BwdLogSqMean, c.BwdLogSqMean, c.BwdLogSqSd, n), Sd(p.BwdLogSqSd, c.BwdLogSqSd, n),
                    p.Regime.Inside, p.Regime.Inside ? "inside" : "outside: " + p.Regime.Reason) { Block = c.Block, Activation = c.Activation };
            }
            catch (SpecException e) { skip = "skipped: " + e.Message; }
        }
        return new TheoryCellComparison(c.Width, c.Depth, c.Tau, c.Rule.ToString(), c.Trials, outputDim, nan, nan, nan, nan, regime.Inside, skip)
            { Block = c.Block, Activation = c.Activation };
    }

    private static TheoryStat Mean(double predicted, double measured, double sd, int n) =>
        new(predicted, measured, (measured - predicted) / (sd / Math.Sqrt(n)));

    private static TheoryStat Sd(double predicted, double measured, int n) =>
        new(predicted, measured, (measured - predicted) / (measured / Math.Sqrt(2.0 * (n - 1))));

    /// <summary>"finite-width theory: 118/120 cells within 4 SE inside the regime; 6 cells outside; 6 skipped (cost)".</summary>
    public static string Summary(IReadOnlyList<TheoryCellComparison> rows)
    {
        var inside = rows.Where(r => r.Predicted && r.Inside).ToList();
        int ok = inside.Count(r => r.MaxAbsZ <= ZLimit);
        int outside = rows.Count(r => r.Predicted && !r.Inside), skipped = rows.Count(r => !r.Predicted);
        var s = F($"finite-width theory: {ok}/{inside.Count} cells within {ZLimit:G} SE inside the regime; {outside} cells outside");
        if (outside > 0)
        {
            var o = rows.Where(r => r.Predicted && !r.Inside).ToList();
            s += F($" ({o.Count(r => r.MaxAbsZ <= ZLimit)} of them within {ZLimit:G} SE)");
        }
        if (skipped > 0) s += F($"; {skipped} skipped (grid beyond the memory limit, or refused)");
        return s;
    }

    /// <summary>Column names of theory.csv, in order.</summary>
    public static IReadOnlyList<string> CsvNames { get; } =
    [
        "block", "activation", "width", "depth", "tau", "tau_rule", "trials",
        .. new[] { "fwd_log_sq_mean", "fwd_log_sq_sd", "bwd_log_sq_mean", "bwd_log_sq_sd" }
            .SelectMany(n => new[] { n + "_pred", n + "_meas", n + "_z" }),
        "regime",
    ];

    /// <summary>theory.csv: one row per compared cell (docs/file-formats.md conventions; a skipped cell's numbers are empty).</summary>
    public static string Csv(IReadOnlyList<TheoryCellComparison> rows) =>
        Tables.Csv.File(CsvNames, rows.Select(r => string.Join(',',
            new[] { r.Block.Name(), r.Activation.Name(), Tables.Csv.Integer(r.Width), Tables.Csv.Integer(r.Depth), Tables.Csv.Number(r.Tau), Tables.Csv.Field(r.Rule), Tables.Csv.Integer(r.Trials) }
                .Concat(new[] { r.FwdMean, r.FwdSd, r.BwdMean, r.BwdSd }.SelectMany(s => new[] { s.Predicted, s.Measured, s.Z }).Select(v => Tables.Csv.Optional(v)))
                .Append(Tables.Csv.Field(r.Status)))));

    /// <summary>The sweep's output dimension d (manifest.json's spec), 1 when the directory has no manifest.</summary>
    public static int OutputDimOf(string dir)
    {
        if (!File.Exists(Path.Combine(dir, "manifest.json"))) return 1;
        try { return SweepManifest.SpecOf(SweepManifest.Read(dir), dir).OutputDim; }
        catch (SpecException) { return 1; }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
