using StabilityLab.Fitting;
using StabilityLab.Plotting.Data;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>Which figures of <see cref="FigureCatalog"/> a directory has the data for.</summary>
public static class FigureAvailability
{
    /// <summary>The figures a directory has data for.</summary>
    public static List<string> Supported(string dir)
    {
        var names = new List<string>();
        if (File.Exists(Path.Combine(dir, CellsTable.FileName)))
        {
            var data = SweepTables.ReadSweep(dir);
            names.AddRange([DepthFigure.Name, HeatmapFigure.Name, GradientsFigure.Name]);
            if (data.Traces.Count > 0) names.Add(LayersFigure.Name);
            if (data.Cells.Any(c => SweepAnalysis.ConverseExcess(c.Rule) is not null)) names.Add(ConverseFigure.Name);
            if (FitsFile.TryRead(dir) is { Threshold.Count: > 0 }) names.Add(ThresholdFigure.Name);
            if (File.Exists(Path.Combine(dir, TheoryZFigure.FileName))) names.Add(TheoryZFigure.Name);
        }
        if (File.Exists(Path.Combine(dir, PlotData.CurvesFile))) names.Add(TrainingFigure.Name);
        if (File.Exists(Path.Combine(dir, FigureCatalog.SpectrumFile))) names.Add(SpectrumFigure.Name);
        return names;
    }
}
