using OxyPlot;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;

namespace StabilityLab.Plotting.Figures;

/// <summary>A figure ready to export: the file name (without extension) and its model.</summary>
public sealed record NamedFigure(string FileName, PlotModel Model);

/// <summary>
/// The figures that can be drawn from a directory by name (what `stabilitylab plot --figure` offers), with
/// default options: from a sweep directory depth, heatmap, layers, gradients (two files: gradients and
/// gradients-layers), converse (measured points only); from a training directory (curves.csv) training.
/// threshold needs a fitted τ*(L): build it from C# with <see cref="ThresholdFigure"/>.
/// </summary>
public static class FigureCatalog
{
    public static IReadOnlyList<string> Names { get; } =
        [DepthFigure.Name, HeatmapFigure.Name, LayersFigure.Name, GradientsFigure.Name, ThresholdFigure.Name, ConverseFigure.Name, TrainingFigure.Name];

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
        if (n == ThresholdFigure.Name)
            throw new SpecException("the threshold figure needs a fitted τ*(L); build it from C# with ThresholdFigure.Build (no fits file is read yet)");
        var data = PlotData.ReadSweep(directory);
        return n switch
        {
            DepthFigure.Name => [new(n, DepthFigure.Build(data.Cells))],
            HeatmapFigure.Name => [new(n, HeatmapFigure.Build(data.Cells))],
            LayersFigure.Name => [new(n, LayersFigure.Build(RequireTraces(data), data.Cells))],
            GradientsFigure.Name => data.Traces.Count > 0
                ? [new(n, GradientsFigure.Build(data.Cells)), new(n + "-layers", GradientsFigure.BuildLayers(data.Traces, data.Cells))]
                : [new(n, GradientsFigure.Build(data.Cells))],
            ConverseFigure.Name => [new(n, ConverseFigure.Build(ConverseFigure.FromCells(data.Cells)))],
            _ => throw new SpecException($"unknown figure '{name}'"),
        };
    }

    private static IReadOnlyList<TraceRow> RequireTraces(SweepData data) => data.Traces.Count > 0
        ? data.Traces
        : throw new SpecException($"{data.Directory} has no {PlotData.TracesFile} (run the sweep with --trace-depth)");
}
