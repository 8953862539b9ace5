using OxyPlot;
using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Plotting.Data;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>A figure ready to export: the file name (without extension) and its model.</summary>
public sealed record NamedFigure(string FileName, PlotModel Model);

/// <summary>
/// The figures that can be drawn from a directory by name (what `stabilitylab plot --figure` offers), with
/// default options: from a sweep directory depth, heatmap, layers, gradients (two files: gradients and
/// gradients-layers), converse; from a training directory (curves.csv) training. When the sweep has
/// been fitted (fits.json), threshold draws τ*(L) and its law, the heatmap overlays τ*(L) and converse
/// draws the fitted growth laws; theory-z draws theory.csv (`fit`'s comparison with the finite-width theory). The depth
/// figure draws the infinite-width theory and the finite-width median for post/ReLU cells.
/// </summary>
public static class FigureCatalog
{
    public static IReadOnlyList<string> Names { get; } =
        [DepthFigure.Name, HeatmapFigure.Name, LayersFigure.Name, GradientsFigure.Name, ThresholdFigure.Name, ConverseFigure.Name, TrainingFigure.Name, SpectrumFigure.Name, TheoryZFigure.Name];

    /// <summary>The table `stabilitylab spectrum` writes.</summary>
    public const string SpectrumFile = "spectra.csv";

    public static string Check(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (!Names.Contains(n)) throw new SpecException($"unknown figure '{name.Trim()}' (expected one of: {string.Join(", ", Names)})");
        return n;
    }

    /// <summary>Builds the named figure(s) from a sweep directory (or a training directory for "training").</summary>
    public static IReadOnlyList<NamedFigure> Build(string name, string directory)
    {
        var n = Check(name);
        if (n == TrainingFigure.Name)
        {
            var path = Path.Combine(directory, PlotData.CurvesFile);
            if (!File.Exists(path)) throw new SpecException($"{directory} has no {PlotData.CurvesFile}: not a training directory");
            return [new(n, TrainingFigure.Build(PlotData.ReadTrainingCurves(path)))];
        }
        if (n == SpectrumFigure.Name)
        {
            var path = Path.Combine(directory, SpectrumFile);
            if (!File.Exists(path)) throw new SpecException($"{directory} has no {SpectrumFile}: not a spectrum directory (run `stabilitylab spectrum`)");
            return [new(n, SpectrumFigure.Build(SpectraTable.ReadPoints(path)))];
        }
        if (n == TheoryZFigure.Name)
        {
            var path = Path.Combine(directory, TheoryZFigure.FileName);
            if (!File.Exists(path)) throw new SpecException($"the theory-z figure needs {TheoryZFigure.FileName}: run `stabilitylab fit {directory}` first");
            return [new(n, TheoryZFigure.Build(TheoryZFigure.Read(path)))];
        }
        var fits = FitsFile.TryRead(directory);
        if (n == ThresholdFigure.Name)
        {
            if (fits is null || fits.Threshold.Count == 0)
                throw new SpecException($"the threshold figure needs a fitted τ*(L): run `stabilitylab fit {directory}` first");
            return [new(n, ThresholdFigure.Build(fits.Threshold, fits.Law, new ThresholdFigureOptions { Exponent = fits.Exponent }))];
        }
        var data = SweepTables.ReadSweep(directory);
        return n switch
        {
            DepthFigure.Name => [new(n, DepthFigure.Build(data.Cells, new DepthFigureOptions { Theory = InfiniteWidthTheory, FiniteWidthMedian = FiniteWidthMedian }))],
            HeatmapFigure.Name => [new(n, HeatmapFigure.Build(data.Cells, new HeatmapFigureOptions { Threshold = fits?.Threshold }))],
            LayersFigure.Name => [new(n, LayersFigure.Build(RequireTraces(data), data.Cells))],
            GradientsFigure.Name => data.Traces.Count > 0
                ? [new(n, GradientsFigure.Build(data.Cells)), new(n + "-layers", GradientsFigure.BuildLayers(data.Traces, data.Cells))]
                : [new(n, GradientsFigure.Build(data.Cells))],
            ConverseFigure.Name => [new(n, ConverseFigure.Build(ConverseFigure.FromCells(data.Cells)
                .Select(s => fits is not null && fits.Converse.TryGetValue(s.C, out var f) ? s with { Fit = f } : s).ToList()))],
            _ => throw new SpecException($"unknown figure '{name}'"),
        };
    }

    /// <summary>log(Q_L/Q_0) of the infinite-width recursion for the post block with ReLU at constant τ.</summary>
    public static double InfiniteWidthTheory(double tau, int depth) =>
        Theory.InfiniteWidthRecursion.PostRelu(Enumerable.Repeat(tau, depth).ToArray()).LogRatio[^1];

    /// <summary>
    /// The finite-width median of ln(‖h_L‖²/‖h_0‖²) (docs/finite-width.md) for a post/ReLU cell with Gaussian weights,
    /// or null (other cells, and grids beyond the memory limit of <see cref="Fitting.TheoryComparison"/>).
    /// </summary>
    public static double? FiniteWidthMedian(CellRow c)
    {
        if (c.Block != BlockKind.Post || c.Activation != Activation.Relu || c.Weights != WeightLaw.Gaussian) return null;
        var tau = c.Rule.Schedule(c.Depth);
        if (Theory.FiniteWidthTheory.GridPoints(tau) > Fitting.TheoryComparison.MaxStoredPoints) return null;
        // Two rules with the same schedule (1/sqrt(L) and L^-0.5) are one prediction.
        var key = (c.Width, c.Depth, string.Join(',', tau));
        lock (MedianCache)
            if (MedianCache.TryGetValue(key, out var known)) return known;
        double? v;
        try { v = Theory.FiniteWidthTheory.Predict(new NetworkSpec(c.Width, c.Depth, c.Rule)).FwdLogSqQ50; }
        catch (SpecException) { v = null; }
        lock (MedianCache) MedianCache[key] = v;
        return v;
    }

    private static readonly Dictionary<(int, int, string), double?> MedianCache = new();

    private static IReadOnlyList<TraceRow> RequireTraces(SweepData data) => data.Traces.Count > 0
        ? data.Traces
        : throw new SpecException($"{data.Directory} has no {TracesTable.FileName} (run the sweep with --trace-depth)");
}
