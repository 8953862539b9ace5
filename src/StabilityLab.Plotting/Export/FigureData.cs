using System.Globalization;
using System.Text;
using OxyPlot;
using OxyPlot.Series;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Export;

/// <summary>One plotted value: a point (X, Y), a band at X (Lo, Hi), both, or a heatmap cell (X, Y, Value).</summary>
public sealed record FigureDataRow(string Series, double X, double? Y, double? Lo = null, double? Hi = null, double? Value = null);

/// <summary>The names a heatmap's rectangles are written under, with their exact centres (data coordinates).</summary>
public sealed record HeatmapCells(string Name, IReadOnlyList<DataPoint> Centres);

/// <summary>
/// The data behind a figure, read from its <see cref="PlotModel"/> itself, so the CSV written beside a figure
/// is exactly what it plots: lines and scatter points give (x, y), bands and interval bars give (x, lo, hi)
/// (merged with the line of the same name at the same x), heatmap rectangles give (x, y, value). A series
/// is named by its Tag (a string or <see cref="HeatmapCells"/>), else its Title; series with no points are
/// skipped. A non-finite value is a bug in a figure builder and throws.
/// </summary>
public static class FigureData
{
    public static IReadOnlyList<FigureDataRow> FromModel(PlotModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var rows = new List<FigureDataRow>();
        int unnamed = 0;
        foreach (var s in model.Series)
        {
            // A symmetric-log axis's series hold transformed values: the CSV holds the data (Style/SymLogAxis.cs).
            var y = SymLogAxis.DataValues(model, s);
            string name = s.Tag switch
            {
                string t => t,
                HeatmapCells h => h.Name,
                _ => s.Title ?? $"series {++unnamed}",
            };
            switch (s)
            {
                case AreaSeries a:
                    for (int i = 0; i < Math.Min(a.Points.Count, a.Points2.Count); i++)
                        AddBand(rows, name, Check(a.Points[i].X, name), Check(y(a.Points2[i].Y), name), Check(y(a.Points[i].Y), name));
                    break;
                case LineSeries l:
                    foreach (var p in l.Points) AddPoint(rows, name, Check(p.X, name), Check(y(p.Y), name));
                    break;
                case ScatterSeries sc:
                    foreach (var p in sc.Points) AddPoint(rows, name, Check(p.X, name), Check(y(p.Y), name));
                    break;
                case HighLowSeries hl:
                    foreach (var it in hl.Items) AddBand(rows, name, Check(it.X, name), Check(it.Low, name), Check(it.High, name));
                    break;
                case RectangleSeries r:
                    var centres = (s.Tag as HeatmapCells)?.Centres;
                    for (int i = 0; i < r.Items.Count; i++)
                    {
                        var it = r.Items[i];
                        var c = centres is not null && i < centres.Count ? centres[i] : new DataPoint((it.A.X + it.B.X) / 2, (it.A.Y + it.B.Y) / 2);
                        rows.Add(new FigureDataRow(name, Check(c.X, name), Check(c.Y, name), Value: Check(it.Value, name)));
                    }
                    break;
            }
        }
        return rows;
    }

    private static double Check(double v, string series) =>
        double.IsFinite(v) ? v : throw new InvalidOperationException($"series '{series}' holds a non-finite value ({v}); it must not reach a plot or a file");

    private static void AddPoint(List<FigureDataRow> rows, string name, double x, double y)
    {
        int i = rows.FindIndex(r => r.Series == name && r.X == x && r.Y is null && r.Lo is not null);
        if (i >= 0) rows[i] = rows[i] with { Y = y };
        else rows.Add(new FigureDataRow(name, x, y));
    }

    private static void AddBand(List<FigureDataRow> rows, string name, double x, double lo, double hi)
    {
        int i = rows.FindIndex(r => r.Series == name && r.X == x && r.Lo is null && r.Value is null);
        if (i >= 0) rows[i] = rows[i] with { Lo = lo, Hi = hi };
        else rows.Add(new FigureDataRow(name, x, null, lo, hi));
    }

    /// <summary>CSV with columns series, x, y, then lo, hi and value only when some row has them.</summary>
    public static string ToCsv(IReadOnlyList<FigureDataRow> rows)
    {
        bool band = rows.Any(r => r.Lo is not null || r.Hi is not null);
        bool value = rows.Any(r => r.Value is not null);
        var sb = new StringBuilder("series,x,y");
        if (band) sb.Append(",lo,hi");
        if (value) sb.Append(",value");
        sb.Append('\n');
        foreach (var r in rows)
        {
            sb.Append(Csv.Field(r.Series)).Append(',').Append(F(r.X)).Append(',').Append(F(r.Y));
            if (band) sb.Append(',').Append(F(r.Lo)).Append(',').Append(F(r.Hi));
            if (value) sb.Append(',').Append(F(r.Value));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Reads a figure's data CSV back (the inverse of <see cref="ToCsv"/>).</summary>
    public static IReadOnlyList<FigureDataRow> ParseCsv(string text)
    {
        var t = CsvTable.Parse(text, "figure data");
        int s = t.Column("series"), x = t.Column("x"), y = t.Column("y");
        int lo = t.Has("lo") ? t.Column("lo") : -1, hi = t.Has("hi") ? t.Column("hi") : -1, v = t.Has("value") ? t.Column("value") : -1;
        double? Opt(string[] r, int c) => c < 0 || r[c].Length == 0 ? null : CsvTable.Number(r[c]);
        return t.Rows.Select(r => new FigureDataRow(r[s], CsvTable.Number(r[x]), Opt(r, y), Opt(r, lo), Opt(r, hi), Opt(r, v))).ToArray();
    }

    private static string F(double? v) => v is { } d
        ? (double.IsFinite(d) ? Csv.Number(d) : throw new SpecException("a non-finite value would reach a figure's data file"))
        : "";
}
