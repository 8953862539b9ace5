using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>What <see cref="LayersFigure"/> draws.</summary>
public sealed record LayersFigureOptions
{
    public TraceSelection Select { get; init; } = new();
    public CellFilter Filter { get; init; } = CellFilter.Default;
    public string? Title { get; init; }
    public string? Subtitle { get; init; }
}

/// <summary>
/// Figure "layers": per-layer log norms of chosen traced cells against the layer l, two panels side by side
/// sharing the y axis — forward ln(‖h_l‖²/‖h_0‖²) (left) and backward ln(‖g_l‖²/‖g_L‖²), g_l = ∂F/∂h_l
/// (right) — the median over networks as a line and the 5–95% range as a band.
/// </summary>
public static class LayersFigure
{
    public const string Name = "layers";
    private const double Gap = 0.08;

    public static PlotModel Build(IReadOnlyList<TraceRow> traces, IReadOnlyList<CellRow>? cells = null, LayersFigureOptions? options = null)
    {
        var o = options ?? new LayersFigureOptions();
        var traced = TraceGroups.From(traces, cells, o.Filter, o.Select);
        var groups = traced.Groups;
        var skips = new SkipCounter();
        const string what = "median and 5–95% band over networks; g_l = ∂F/∂h_l";
        var model = HouseStyle.NewModel(o.Title, o.Subtitle ?? traced.Subtitle(what));
        string layer = traced.LayerAxisTitle;
        model.Axes.Add(HouseStyle.Linear(AxisPosition.Left, "ln ratio  (natural log)", "y"));
        double half = (1 - Gap) / 2;
        foreach (var (key, start, header) in new[]
        {
            ("fwd", 0.0, "forward  " + Symbols.ForwardLayerRatio),
            ("bwd", half + Gap, "backward  " + Symbols.BackwardLayerRatio),
        })
        {
            var x = HouseStyle.Linear(AxisPosition.Bottom, layer, key);
            x.StartPosition = start;
            x.EndPosition = start + half;
            x.MinimumPadding = x.MaximumPadding = 0;
            x.AxislineStyle = LineStyle.Solid;
            x.AxislineColor = HouseStyle.Muted;
            model.Axes.Add(x);
            model.Axes.Add(HouseStyle.PanelLabel(AxisPosition.Top, header, start, start + half, key + "-label"));
        }

        var lines = new List<OxyPlot.Series.Series>();
        for (int i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            var color = Palette.Color(i);
            var (tag, label) = traced.Names(g);
            foreach (var (key, forward) in new[] { ("fwd", true), ("bwd", false) })
            {
                string name = (forward ? "forward: " : "backward: ") + tag;
                var band = HouseStyle.Band(name, null, color, HouseStyle.LightBandAlpha * 1.5, key, "y");
                var line = HouseStyle.Line(name, forward ? label : null, color, MarkerType.None, key, "y");
                foreach (var t in g)
                {
                    var (q05, q50, q95) = forward ? (t.FwdLogSqQ05, t.FwdLogSqQ50, t.FwdLogSqQ95) : (t.BwdLogSqQ05, t.BwdLogSqQ50, t.BwdLogSqQ95);
                    if (!skips.Ok(q05, q50, q95)) continue;
                    band.Points.Add(new DataPoint(t.Layer, q95));
                    band.Points2.Add(new DataPoint(t.Layer, q05));
                    line.Points.Add(new DataPoint(t.Layer, q50));
                }
                model.Series.Add(band);
                lines.Add(line);
            }
        }
        foreach (var s in lines) model.Series.Add(s);
        skips.Flag(model);
        return model;
    }
}
