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
    /// <summary>
    /// The exponent fit behind the threshold verdict (fits.json threshold.exponent). Where it divided out the finite-size
    /// part of the finite-width τ*(L; m, K), the figure draws that prediction, its large-L limit and the fitted law through
    /// it, and the plain straight line only for comparison.
    /// </summary>
    public ThresholdExponentLaw? Exponent { get; init; }

    public string? Title { get; init; }
    public string? Subtitle { get; init; }
}

/// <summary>
/// Figure "threshold": the estimated stability threshold compensated by the theory's scaling, τ*(L)·√L, with its 95%
/// intervals against depth L (log axis). τ* ∝ L^(−1/2) is a flat line here, so the finite-size approach to the limit — a
/// curvature invisible on log–log axes — and any other exponent show at a glance. Drawn with it: the fitted law with α and
/// its 95% interval in the legend; for the post block with ReLU the finite-width prediction τ*(L; m, K)·√L and its large-L
/// limit √(ln K/(1 − 2/m)) (docs/finite-width.md §7), the law fitted with that finite-size part divided out (the verdict's
/// analysis), and the plain straight line τ* = C·L^α, whose α the finite-size curvature biases; elsewhere the plain line
/// and a flat reference (α = −1/2).
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
        model.Axes.Add(HouseStyle.Linear(AxisPosition.Left, Symbols.ThresholdCompensatedAxis));

        static double Scaled(double depth, double tau) => tau * Math.Sqrt(depth);
        var bars = new HighLowSeries { Tag = "tau*", Color = Palette.Blue, StrokeThickness = HouseStyle.ThinLineWidth + 0.2, TickLength = 3 };
        var marks = new ScatterSeries { Tag = "tau*", Title = "estimated τ*(L)·√L, 95% interval", MarkerType = MarkerType.Circle, MarkerSize = HouseStyle.MarkerSize + 0.5, MarkerFill = Palette.Blue };
        foreach (var p in ok)
        {
            bars.Items.Add(new HighLowItem(p.Depth, Scaled(p.Depth, p.Hi), Scaled(p.Depth, p.Lo)));
            marks.Points.Add(new ScatterPoint(p.Depth, Scaled(p.Depth, p.Tau)));
        }
        double x0 = ok[0].Depth, x1 = ok[^1].Depth;
        var exponent = o.Exponent is { } e && skips.Ok(e.Alpha, e.AlphaLo, e.AlphaHi, e.Intercept) ? e : null;
        bool corrected = exponent is { FiniteSizeCorrected: true };

        if (corrected)
        {
            var depths = exponent!.Predicted.Keys.Order().ToList();
            var law = HouseStyle.Line("fit", $"fit τ* = τ*(L; m, K)·C·L^{{α+1/2}}: α = {Interval(exponent.Alpha, exponent.AlphaLo, exponent.AlphaHi)} (95%)", Palette.Vermillion);
            foreach (int L in depths)
                if (exponent.Evaluate(L) is { } y && skips.OkPositive(y)) law.Points.Add(new DataPoint(L, Scaled(L, y)));
            model.Series.Add(law);
            // Dashed on top of the fit, which it nearly covers where the theory holds.
            var theory = HouseStyle.Theory("prediction", "finite-width theory τ*(L; m, K)·√L", Palette.BluishGreen);
            foreach (int L in depths)
                if (skips.OkPositive(exponent.Predicted[L])) theory.Points.Add(new DataPoint(L, Scaled(L, exponent.Predicted[L])));
            model.Series.Add(theory);
            if (exponent.LargeDepthLimit is { } limit && skips.OkPositive(limit))
            {
                var flat = HouseStyle.Theory("large-L limit", $"its large-L limit √(ln K/(1 − 2/m)) = {limit.ToString("0.000", CultureInfo.InvariantCulture)}", HouseStyle.Reference);
                flat.Points.Add(new DataPoint(x0, limit));
                flat.Points.Add(new DataPoint(x1, limit));
                model.Series.Add(flat);
            }
        }
        var plain = fit is not null && skips.Ok(fit.Slope, fit.SlopeLo, fit.SlopeHi, fit.Intercept) ? fit
            : exponent is { FiniteSizeCorrected: false } px ? new PowerLawFit(px.Alpha, px.AlphaLo, px.AlphaHi, px.Intercept) : null;
        if (plain is not null)
        {
            var line = corrected
                ? HouseStyle.Line("straight line", $"straight line τ* ∝ L^{{α}} (no finite-size term): α = {Interval(plain.Slope, plain.SlopeLo, plain.SlopeHi)}", HouseStyle.Muted)
                : HouseStyle.Line("fit", $"fit τ* ∝ L^{{α}}: α = {Interval(plain.Slope, plain.SlopeLo, plain.SlopeHi)} (95%)", Palette.Vermillion);
            if (corrected) line.StrokeThickness = HouseStyle.ThinLineWidth;
            foreach (double x in LogSpaced(x0, x1, 48))
                if (skips.OkPositive(plain.Evaluate(x))) line.Points.Add(new DataPoint(x, Scaled(x, plain.Evaluate(x))));
            model.Series.Add(line);
        }
        if (!corrected)
        {
            // α = −1/2 is flat here: drawn through the geometric mean of the measured τ*·√L.
            double level = Math.Exp(ok.Average(p => Math.Log(Scaled(p.Depth, p.Tau))));
            var reference = HouseStyle.Theory("reference slope", "τ* ∝ L^{−1/2} (theory): flat", HouseStyle.Reference);
            reference.Points.Add(new DataPoint(x0, level));
            reference.Points.Add(new DataPoint(x1, level));
            model.Series.Add(reference);
        }
        model.Series.Add(bars);
        model.Series.Add(marks);
        skips.Flag(model);
        return model;
    }

    private static IEnumerable<double> LogSpaced(double a, double b, int n) =>
        a == b ? [a] : Enumerable.Range(0, n).Select(i => Math.Exp(Math.Log(a) + (Math.Log(b) - Math.Log(a)) * i / (n - 1)));

    /// <summary>"v [lo, hi]" with enough decimals that the interval's width shows two significant digits (at least 2).</summary>
    internal static string Interval(double v, double lo, double hi)
    {
        double width = Math.Abs(hi - lo);
        int digits = width > 0 && double.IsFinite(width) ? Math.Clamp((int)Math.Ceiling(-Math.Log10(width)) + 1, 2, 6) : 2;
        string f = "F" + digits.ToString(CultureInfo.InvariantCulture);
        string N(double x) => x.ToString(f, CultureInfo.InvariantCulture).Replace('-', '−');
        return $"{N(v)} [{N(lo)}, {N(hi)}]";
    }

    internal static string Num(double v) => v.ToString("0.00", CultureInfo.InvariantCulture).Replace('-', '−');
}
