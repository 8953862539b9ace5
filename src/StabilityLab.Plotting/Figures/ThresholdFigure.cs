using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Style;

namespace StabilityLab.Plotting.Figures;

/// <summary>What <see cref="ThresholdFigure"/> draws.</summary>
public sealed record ThresholdFigureOptions
{
    /// <summary>The theory's slope, drawn as a reference line through the fit's centre.</summary>
    public double ReferenceSlope { get; init; } = -0.5;

    public string? Title { get; init; }
    public string? Subtitle { get; init; }
}

/// <summary>
/// Figure "threshold": the estimated stability threshold τ*(L) with its intervals against depth L on log–log
/// axes, the fitted power law τ* = e^b·L^α with α and its 95% interval written in the legend, and a reference
/// line of slope −1/2 (the theory's τ ≍ L^{−1/2}) through the centre of the fit.
/// </summary>
public static class ThresholdFigure
{
    public const string Name = "threshold";

    public static PlotModel Build(IReadOnlyList<ThresholdPoint> points, PowerLawFit? fit = null, ThresholdFigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        var o = options ?? new ThresholdFigureOptions();
        var skips = new SkipCounter();
        var ok = points.Where(p => p.Depth >= 1 && skips.OkPositive(p.Tau, p.Lo, p.Hi)).OrderBy(p => p.Depth).ToList();
        if (ok.Count == 0) throw new SpecException("no threshold estimates to plot");
        var model = HouseStyle.NewModel(o.Title, o.Subtitle);
        model.Legends[0].LegendPlacement = LegendPlacement.Inside;
        model.Legends[0].LegendPosition = LegendPosition.TopRight;
        model.Legends[0].LegendBackground = OxyColor.FromAColor(230, OxyColors.White);
        model.Axes.Add(HouseStyle.DepthAxis(AxisPosition.Bottom, Symbols.DepthAxis, ok.Select(p => p.Depth)));
        model.Axes.Add(HouseStyle.Log(AxisPosition.Left, Symbols.ThresholdAxis));

        var bars = new HighLowSeries { Tag = "tau*", Color = Palette.Blue, StrokeThickness = HouseStyle.ThinLineWidth + 0.2, TickLength = 3 };
        var marks = new ScatterSeries { Tag = "tau*", Title = "estimated τ*(L), 95% interval", MarkerType = MarkerType.Circle, MarkerSize = HouseStyle.MarkerSize + 0.5, MarkerFill = Palette.Blue };
        foreach (var p in ok)
        {
            bars.Items.Add(new HighLowItem(p.Depth, p.Hi, p.Lo));
            marks.Points.Add(new ScatterPoint(p.Depth, p.Tau));
        }
        double x0 = ok[0].Depth, x1 = ok[^1].Depth;
        if (fit is not null && skips.Ok(fit.Slope, fit.SlopeLo, fit.SlopeHi, fit.Intercept))
        {
            var line = HouseStyle.Line("fit", $"fit τ* ∝ L^{{α}}: α = {Num(fit.Slope)} [{Num(fit.SlopeLo)}, {Num(fit.SlopeHi)}] (95%)", Palette.Vermillion);
            foreach (var x in new[] { x0, x1 }.Distinct())
                if (skips.OkPositive(fit.Evaluate(x))) line.Points.Add(new DataPoint(x, fit.Evaluate(x)));
            model.Series.Add(line);
        }
        // Reference slope through the centre (geometric mean of L and of the fitted, else measured, τ*).
        double cx = Math.Exp(ok.Average(p => Math.Log(p.Depth)));
        double cy = fit is not null && double.IsFinite(fit.Evaluate(cx)) ? fit.Evaluate(cx) : Math.Exp(ok.Average(p => Math.Log(p.Tau)));
        var reference = HouseStyle.Theory("reference slope", $"reference slope {NumShort(o.ReferenceSlope)} (theory)", HouseStyle.Reference);
        foreach (var x in new[] { x0, x1 }.Distinct())
        {
            double y = cy * Math.Pow(x / cx, o.ReferenceSlope);
            if (skips.OkPositive(y)) reference.Points.Add(new DataPoint(x, y));
        }
        model.Series.Add(reference);
        model.Series.Add(bars);
        model.Series.Add(marks);
        skips.Flag(model);
        return model;
    }

    private static string NumShort(double v) => v.ToString("0.###", CultureInfo.InvariantCulture).Replace('-', '−');

    internal static string Num(double v) => v.ToString("0.00", CultureInfo.InvariantCulture).Replace('-', '−');
}
