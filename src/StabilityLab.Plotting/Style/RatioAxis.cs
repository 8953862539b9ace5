using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace StabilityLab.Plotting.Style;

/// <summary>The y axis of a log ratio against depth (figures depth and gradients).</summary>
public static class RatioAxis
{
    /// <summary>
    /// Log y axis, so rules whose log ratio stays bounded look flat beside those that grow; where a plotted value is
    /// ≤ 0 (a median, a backward ratio, another block) a symmetric-log axis instead (<see cref="SymLogAxis"/>, whose
    /// transform is applied to the series here), linear within ±c, c the power of ten at or below the lower quartile of
    /// the nonzero |values| (at least 0.01), said in the returned note for the subtitle.
    /// </summary>
    public static (Axis Axis, string? Note) For(IList<Series> series, string logTitle, string symLogTitle)
    {
        var ys = series.SelectMany(s => s switch
        {
            AreaSeries a => a.Points.Concat(a.Points2).Select(p => p.Y),
            LineSeries l => l.Points.Select(p => p.Y),
            ScatterSeries sc => sc.Points.Select(p => p.Y),
            _ => [],
        }).ToList();
        if (ys.All(y => y > 0)) return (HouseStyle.Log(AxisPosition.Left, logTitle), null);
        var magnitudes = ys.Where(y => y != 0).Select(Math.Abs).Order().ToList();
        double quartile = magnitudes.Count == 0 ? 1 : magnitudes[magnitudes.Count / 4];
        double c = Math.Max(0.01, Math.Pow(10, Math.Floor(Math.Log10(quartile))));
        var axis = HouseStyle.Styled(new SymLogAxis(c) { MaximumPadding = 0.04, MinimumPadding = 0.04 }, AxisPosition.Left, symLogTitle, null);
        foreach (var s in series)
            switch (s)
            {
                case AreaSeries a:
                    Transform(a.Points, axis);
                    Transform(a.Points2, axis);
                    break;
                case LineSeries l:
                    Transform(l.Points, axis);
                    break;
                case ScatterSeries sc:
                    for (int i = 0; i < sc.Points.Count; i++) sc.Points[i] = new ScatterPoint(sc.Points[i].X, axis.Plot(sc.Points[i].Y), sc.Points[i].Size, sc.Points[i].Value, sc.Points[i].Tag);
                    break;
            }
        return (axis, $"symlog y axis (values ≤ 0 drawn): linear within ±{HouseStyle.Number(c)}, log beyond");
    }

    private static void Transform(List<DataPoint> points, SymLogAxis axis)
    {
        for (int i = 0; i < points.Count; i++) points[i] = new DataPoint(points[i].X, axis.Plot(points[i].Y));
    }
}
