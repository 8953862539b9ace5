using StabilityLab.Fitting;
using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>What <see cref="ConverseFigure"/> draws.</summary>
public sealed record ConverseFigureOptions
{
    public string? Title { get; init; }
    public string? Subtitle { get; init; }
}

/// <summary>
/// Figure "converse": ln E[‖h_L‖²/‖h_0‖²] against depth L on log–log axes for τ = L^{−1/2+c}, one colour per c,
/// points with 95% intervals and, when fitted, the growth law ∝ L^k (theory: k = 2c) as a line with k and its
/// interval in the legend.
/// </summary>
public static class ConverseFigure
{
    public const string Name = "converse";

    /// <summary>The measured points of every member of a family τ = a·L^(−1/2+c), one series per c (no fits).</summary>
    public static IReadOnlyList<ConverseSeries> FromCells(IReadOnlyList<CellRow> cells, CellFilter? filter = null)
    {
        var (rows, _) = (filter ?? CellFilter.Default).Apply(cells);
        var series = rows.Where(r => SweepAnalysis.ConverseExcess(r.Rule) is not null)
            .GroupBy(r => SweepAnalysis.ConverseExcess(r.Rule)!.Value)
            .OrderBy(g => g.Key)
            .Select(g => new ConverseSeries(g.Key, g.OrderBy(r => r.Depth)
                .Select(r => new ConversePoint(r.Depth, r.FwdLogMeanSq, r.FwdLogMeanSqLo, r.FwdLogMeanSqHi)).ToList()))
            .ToList();
        return series.Count > 0 ? series : throw new SpecException("no τ family with a parameter c (e.g. L^(-1/2+c)) in the data");
    }

    public static PlotModel Build(IReadOnlyList<ConverseSeries> series, ConverseFigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new SpecException("no converse series to plot");
        var o = options ?? new ConverseFigureOptions();
        var skips = new SkipCounter();
        var model = HouseStyle.NewModel(o.Title, o.Subtitle ?? "points: measured, 95% interval; lines: fitted growth laws (theory: exponent 2c)");
        var depths = series.SelectMany(s => s.Points).Select(p => p.Depth).ToList();
        model.Axes.Add(HouseStyle.DepthAxis(AxisPosition.Bottom, Symbols.DepthAxis, depths));
        model.Axes.Add(HouseStyle.Log(AxisPosition.Left, Symbols.LnMeanForward));
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var color = Palette.Color(i);
            string c = s.C.ToString("0.###", CultureInfo.InvariantCulture);
            string name = $"c={c}";
            var pts = s.Points.Where(p => p.Depth >= 1 && skips.OkPositive(p.LogMeanRatio, p.Lo, p.Hi)).OrderBy(p => p.Depth).ToList();
            var bars = new HighLowSeries { Tag = name, Color = color, StrokeThickness = HouseStyle.ThinLineWidth + 0.2, TickLength = 2 };
            var marks = new ScatterSeries { Tag = name, Title = $"τ = L^{{−1/2+{c}}}", MarkerType = Palette.Marker(i), MarkerSize = HouseStyle.MarkerSize + 0.5, MarkerFill = color, MarkerStroke = color };
            foreach (var p in pts)
            {
                bars.Items.Add(new HighLowItem(p.Depth, p.Hi, p.Lo));
                marks.Points.Add(new ScatterPoint(p.Depth, p.LogMeanRatio));
            }
            OxyPlot.Series.LineSeries? fitLine = null;
            if (s.Fit is { } fit && pts.Count > 0 && skips.Ok(fit.Slope, fit.SlopeLo, fit.SlopeHi, fit.Intercept))
            {
                var line = HouseStyle.Line($"{name}: fit", $"fit ∝ L^{{k}}, k = {ThresholdFigure.Num(fit.Slope)} [{ThresholdFigure.Num(fit.SlopeLo)}, {ThresholdFigure.Num(fit.SlopeHi)}]", color);
                foreach (var x in new double[] { pts[0].Depth, pts[^1].Depth }.Distinct())
                    if (skips.OkPositive(fit.Evaluate(x))) line.Points.Add(new DataPoint(x, fit.Evaluate(x)));
                fitLine = line;
            }
            model.Series.Add(bars);
            model.Series.Add(marks);
            if (fitLine is not null) model.Series.Add(fitLine);
        }
        skips.Flag(model);
        return model;
    }
}
