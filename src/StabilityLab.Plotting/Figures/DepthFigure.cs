using OxyPlot;
using OxyPlot.Axes;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>What <see cref="DepthFigure"/> draws.</summary>
public sealed record DepthFigureOptions
{
    /// <summary>tau_rule values to draw (each β of a family is its own rule); null: <see cref="RuleSelection.Default"/>.</summary>
    public IReadOnlyList<string>? Rules { get; init; }

    public CellFilter Filter { get; init; } = CellFilter.Default;

    /// <summary>ln(Q_L/Q_0) of the infinite-width recursion for (τ, L), drawn dashed per rule; null: none.</summary>
    public Func<double, int, double>? Theory { get; init; }

    /// <summary>
    /// The finite-width median of ln ratio for a cell (docs/finite-width.md §2: E F_L, the Gaussian's median), drawn
    /// dash-dotted beside the measured median; null for a cell without a prediction. (Its ln E ratio equals the
    /// infinite-width curve to first order in 1/m, so the median is where width shows.)
    /// </summary>
    public Func<CellRow, double?>? FiniteWidthMedian { get; init; }

    /// <summary>Shade the exact first-moment bounds (post block, ReLU only).</summary>
    public bool ShowBounds { get; init; } = true;

    /// <summary>Draw the median of ln ratio (open markers, dotted).</summary>
    public bool ShowMedian { get; init; } = true;

    public string? Title { get; init; }

    /// <summary>Null: a description of the network; empty: none.</summary>
    public string? Subtitle { get; init; }
}

/// <summary>
/// Figure "depth": the forward log norm ratio against depth L (log axis), one colour per τ rule — the log of the
/// mean ratio ln E[‖h_L‖²/‖h_0‖²] with its 95% band from the cell estimator (none where not estimable) (solid), the
/// median of ln(‖h_L‖²/‖h_0‖²) (dotted, open markers), the exact first-moment bounds [Σ ln(1+τ²), Σ ln(1+2τ²)]
/// shaded, a dashed theory curve (width ∞) and a dash-dotted finite-width median when given.
/// </summary>
public static class DepthFigure
{
    public const string Name = "depth";

    public static PlotModel Build(IReadOnlyList<CellRow> cells, DepthFigureOptions? options = null)
    {
        var o = options ?? new DepthFigureOptions();
        var (rows, description) = o.Filter.Apply(cells);
        var rules = RuleSelection.Choose(rows.Select(r => r.Rule), o.Rules);
        var skips = new SkipCounter();
        var model = HouseStyle.NewModel(o.Title, o.Subtitle ?? description);
        model.Axes.Add(HouseStyle.DepthAxis(AxisPosition.Bottom, Symbols.DepthAxis, rows.Select(r => r.Depth)));

        bool anyBounds = false, anyTheory = false, anyMedian = false, anyFinite = false;
        var lines = new List<OxyPlot.Series.Series>();
        // Rules with the same τ at every depth are the same cells: drawn once, named by all.
        var classes = RuleClass.Of(rules);
        for (int i = 0; i < classes.Count; i++)
        {
            var rule = classes[i].Tag;
            var color = Palette.Color(i);
            var mine = rows.Where(r => r.Rule.Equals(classes[i].Representative)).OrderBy(r => r.Depth).ToList();
            var label = classes[i].Label;

            if (o.ShowBounds && mine.All(TheoryBounds.Applies))
            {
                var band = HouseStyle.Band($"{rule}: exact bounds on ln E ratio", null, color, HouseStyle.LightBandAlpha);
                foreach (var c in mine)
                {
                    var (lo, hi) = TheoryBounds.PostRelu(c);
                    if (!skips.Ok(lo, hi)) continue;
                    band.Points.Add(new DataPoint(c.Depth, hi));
                    band.Points2.Add(new DataPoint(c.Depth, lo));
                }
                if (band.Points.Count > 0) { model.Series.Add(band); anyBounds = true; }
            }

            var ci = HouseStyle.Band($"{rule}: ln E ratio", null, color);
            var mean = HouseStyle.Line($"{rule}: ln E ratio", label, color, Palette.Marker(i));
            foreach (var c in mine)
            {
                if (skips.Ok(c.FwdLogMeanSqLo, c.FwdLogMeanSqHi) && skips.Ok(c.FwdLogMeanSq))
                {
                    ci.Points.Add(new DataPoint(c.Depth, c.FwdLogMeanSqHi));
                    ci.Points2.Add(new DataPoint(c.Depth, c.FwdLogMeanSqLo));
                }
                if (double.IsFinite(c.FwdLogMeanSq)) mean.Points.Add(new DataPoint(c.Depth, c.FwdLogMeanSq));
            }
            if (ci.Points.Count > 0) model.Series.Add(ci);
            if (mean.Points.Count > 0) lines.Add(mean);

            if (o.ShowMedian)
            {
                var median = HouseStyle.Line($"{rule}: median ln ratio", null, color, Palette.Marker(i));
                median.LineStyle = LineStyle.Dot;
                median.StrokeThickness = HouseStyle.ThinLineWidth;
                median.MarkerFill = OxyColors.White;
                foreach (var c in mine)
                    if (skips.Ok(c.FwdLogSqQ50)) median.Points.Add(new DataPoint(c.Depth, c.FwdLogSqQ50));
                if (median.Points.Count > 0) { lines.Add(median); anyMedian = true; }
            }

            if (o.Theory is { } theory)
            {
                var curve = HouseStyle.Theory($"{rule}: theory ln(Q_L/Q_0)", null, color);
                foreach (var c in mine.Where(c => TheoryBounds.IsConstantAcrossLayers(c) && TheoryBounds.Applies(c)))
                {
                    double v = theory(c.Tau, c.Depth);
                    if (skips.Ok(v)) curve.Points.Add(new DataPoint(c.Depth, v));
                }
                if (curve.Points.Count > 0) { lines.Add(curve); anyTheory = true; }
            }

            if (o.FiniteWidthMedian is { } finite)
            {
                var curve = FiniteWidthCurve($"{rule}: finite-width theory median ln ratio", null, color);
                foreach (var c in mine)
                    if (finite(c) is { } v && skips.Ok(v)) curve.Points.Add(new DataPoint(c.Depth, v));
                if (curve.Points.Count > 0) { lines.Add(curve); anyFinite = true; }
            }
        }
        foreach (var s in lines) model.Series.Add(s);

        // Style keys, after the rules in the legend.
        model.Series.Add(HouseStyle.Key("ln E[ratio], 95% band", LineStyle.Solid, HouseStyle.Muted));
        if (anyMedian) model.Series.Add(HouseStyle.Key("median of ln(ratio)", LineStyle.Dot, HouseStyle.Muted, MarkerType.Circle, open: true));
        if (anyTheory) model.Series.Add(HouseStyle.Key("theory, width m = ∞", LineStyle.Dash, HouseStyle.Muted));
        if (anyFinite)
        {
            var key = FiniteWidthCurve("", "theory, width m: median of ln(ratio)", HouseStyle.Muted);
            key.Tag = null;
            model.Series.Add(key);
        }
        if (anyBounds) model.Series.Add(HouseStyle.Key("exact bounds on ln E[ratio]", LineStyle.Solid, HouseStyle.Muted, band: true));
        var scale = RatioAxis.For(model.Series, Symbols.LnForwardLogScale, Symbols.LnForwardSymLogScale);
        model.Axes.Add(scale.Axis);
        if (scale.Note is { } note) model.Subtitle = string.IsNullOrEmpty(model.Subtitle) ? note : model.Subtitle + "; " + note;
        skips.Flag(model);
        return model;
    }

    /// <summary>Dash-dot, thin: the finite-width curve, told apart from the dashed infinite-width one and the dotted median.</summary>
    private static OxyPlot.Series.LineSeries FiniteWidthCurve(string name, string? legend, OxyColor color)
    {
        var s = HouseStyle.Theory(name, legend, color);
        s.LineStyle = LineStyle.DashDot;
        s.Dashes = [2.5, 1.5, 0.6, 1.5];
        return s;
    }
}
