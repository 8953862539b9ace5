using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>One cell of theory.csv as the figure needs it.</summary>
public sealed record TheoryZPoint(int Depth, double Tau, double Z, bool Inside);

/// <summary>
/// Figure "theory-z": the finite-width theory against the measurement (theory.csv, written by `stabilitylab fit`),
/// z = (measured − predicted)/SE over (L, τ), on the diverging map clipped at ±<see cref="ColorLimit"/>; per cell the
/// largest-|z| of forward mean, forward sd, backward mean and backward sd (signed). Cells outside the validated regime
/// carry a cross; cells without a prediction (grids beyond the memory limit) are left grey.
/// </summary>
public static class TheoryZFigure
{
    public const string Name = "theory-z";
    public const string FileName = "theory.csv";
    public const double ColorLimit = 6;

    private static readonly string[] ZColumns = ["fwd_log_sq_mean_z", "fwd_log_sq_sd_z", "bwd_log_sq_mean_z", "bwd_log_sq_sd_z"];

    /// <summary>theory.csv's predicted cells: the signed z of largest magnitude among the predicted statistics.</summary>
    public static IReadOnlyList<TheoryZPoint> Read(string path)
    {
        var t = CsvTable.Read(path);
        int depth = t.Column("depth"), tau = t.Column("tau"), regime = t.Column("regime");
        var z = ZColumns.Select(t.Column).ToArray();
        var points = new List<TheoryZPoint>();
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var row = t.Rows[i];
            // Skipped cells have no z; a statistic not predicted for the block (res1's backward) is left out.
            var present = z.Where(k => row[k].Length > 0).ToArray();
            if (present.Length == 0) continue;
            double worst = present.Select(k => CsvTable.Number(row[k])).MaxBy(Math.Abs);
            points.Add(new TheoryZPoint(t.Integer(row, depth, i + 2), CsvTable.Number(row[tau]), worst, row[regime] == "inside"));
        }
        return points;
    }

    public static PlotModel Build(IReadOnlyList<TheoryZPoint> points, string? subtitle = null)
    {
        var values = points.Where(p => double.IsFinite(p.Z) && p.Tau > 0).GroupBy(p => (p.Depth, Math.Round(Math.Log(p.Tau), 9))).Select(g => g.First()).ToList();
        if (values.Count == 0) throw new SpecException("theory.csv has no predicted cells to draw");
        int within = values.Count(p => p.Inside && Math.Abs(p.Z) <= TheoryComparison.ZLimit), inside = values.Count(p => p.Inside);
        var model = HouseStyle.NewModel(null, subtitle ?? string.Create(CultureInfo.InvariantCulture,
            $"largest |z| of fwd/bwd mean and sd per cell; {within}/{inside} inside the regime within {TheoryComparison.ZLimit:G} SE; colours clipped at ±{ColorLimit:G}"));
        var legend = model.Legends[0];
        legend.LegendPosition = LegendPosition.TopCenter;
        legend.LegendOrientation = LegendOrientation.Horizontal;
        var depths = values.Select(p => p.Depth).Distinct().Order().ToArray();
        model.Axes.Add(HouseStyle.DepthAxis(AxisPosition.Bottom, Symbols.DepthAxis, depths));
        var yAxis = HouseStyle.Log(AxisPosition.Left, "τ (log scale)");
        model.Axes.Add(yAxis);
        foreach (var a in model.Axes)
        {
            a.MinimumPadding = a.MaximumPadding = 0;
            a.MajorGridlineStyle = LineStyle.None;
            a.MinorGridlineStyle = LineStyle.None;
        }
        model.PlotAreaBackground = HouseStyle.NoData;
        model.Axes.Add(HouseStyle.DivergingColorBar("z = (measured − predicted)/SE", ColorLimit));

        var xEdges = HeatmapFigure.Edges(depths.Select(d => (double)d).ToArray(), geometric: true);
        var rects = new RectangleSeries();
        var centres = new List<DataPoint>();
        var outside = new ScatterSeries
        {
            Tag = "outside the regime", Title = "outside the validated regime", MarkerType = MarkerType.Cross,
            MarkerSize = HouseStyle.MarkerSize + 1, MarkerStroke = HouseStyle.Text, MarkerStrokeThickness = 1.2,
        };
        for (int i = 0; i < depths.Length; i++)
        {
            var column = values.Where(p => p.Depth == depths[i]).OrderBy(p => p.Tau).ToList();
            var yEdges = HeatmapFigure.Edges(column.Select(p => p.Tau).ToArray(), geometric: true);
            for (int k = 0; k < column.Count; k++)
            {
                rects.Items.Add(new RectangleItem(xEdges[i], xEdges[i + 1], yEdges[k], yEdges[k + 1], column[k].Z));
                centres.Add(new DataPoint(depths[i], column[k].Tau));
                if (!column[k].Inside) outside.Points.Add(new ScatterPoint(depths[i], column[k].Tau));
            }
        }
        rects.Tag = new HeatmapCells("z (largest magnitude of the four statistics)", centres);
        model.Series.Add(rects);
        if (outside.Points.Count > 0) model.Series.Add(outside);
        return model;
    }
}
