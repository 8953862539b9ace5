using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>What <see cref="GradientsFigure"/> draws.</summary>
public sealed record GradientsFigureOptions
{
    /// <summary>tau_rule values for the depth panel; null: <see cref="RuleSelection.Default"/>.</summary>
    public IReadOnlyList<string>? Rules { get; init; }

    public CellFilter Filter { get; init; } = CellFilter.Default;

    /// <summary>Traced cells for the per-layer panel.</summary>
    public TraceSelection Select { get; init; } = new();

    public string? Title { get; init; }
    public string? Subtitle { get; init; }
}

/// <summary>
/// Figure "gradients", two models: <see cref="Build"/> the median backward ratio
/// ln(‖∂F/∂h_0‖²/‖∂F/∂h_L‖²) (bwd_log_sq_q50) against depth L per τ rule, and <see cref="BuildLayers"/> the
/// weight-gradient norms (mean ln‖∂F/∂W_l‖²_F over networks) against the layer l for traced cells.
/// </summary>
public static class GradientsFigure
{
    public const string Name = "gradients";

    public static PlotModel Build(IReadOnlyList<CellRow> cells, GradientsFigureOptions? options = null)
    {
        var o = options ?? new GradientsFigureOptions();
        var (rows, description) = o.Filter.Apply(cells);
        var rules = RuleSelection.Choose(rows.Select(r => r.Rule), o.Rules);
        var skips = new SkipCounter();
        var model = HouseStyle.NewModel(o.Title, o.Subtitle ?? description + "; median over networks");
        model.Axes.Add(HouseStyle.DepthAxis(AxisPosition.Bottom, Symbols.DepthAxis, rows.Select(r => r.Depth)));
        // Rules with the same τ at every depth are the same cells: drawn once, named by all (as in the depth figure).
        var classes = RuleClass.Of(rules);
        for (int i = 0; i < classes.Count; i++)
        {
            var line = HouseStyle.Line($"{classes[i].Tag}: median ln backward ratio", classes[i].Label, Palette.Color(i), Palette.Marker(i));
            foreach (var c in rows.Where(r => r.Rule.Equals(classes[i].Representative)).OrderBy(r => r.Depth))
                if (skips.Ok(c.BwdLogSqQ50)) line.Points.Add(new DataPoint(c.Depth, c.BwdLogSqQ50));
            model.Series.Add(line);
        }
        // As in the depth figure: on a linear axis the bounded rules lie flat on zero under the growing ones.
        var scale = RatioAxis.For(model.Series, Symbols.LnBackwardLogScale, Symbols.LnBackwardSymLogScale);
        model.Axes.Add(scale.Axis);
        if (scale.Note is { } note) model.Subtitle = string.IsNullOrEmpty(model.Subtitle) ? note : model.Subtitle + "; " + note;
        skips.Flag(model);
        return model;
    }

    public static PlotModel BuildLayers(IReadOnlyList<TraceRow> traces, IReadOnlyList<CellRow>? cells = null, GradientsFigureOptions? options = null)
    {
        var o = options ?? new GradientsFigureOptions();
        var traced = TraceGroups.From(traces, cells, o.Filter, o.Select);
        var groups = traced.Groups;
        var skips = new SkipCounter();
        var model = HouseStyle.NewModel(o.Title, o.Subtitle ?? traced.Subtitle("Frobenius norm, mean over networks"));
        model.Axes.Add(HouseStyle.Linear(AxisPosition.Bottom, traced.LayerAxisTitle));
        model.Axes.Add(HouseStyle.Linear(AxisPosition.Left, Symbols.LnWeightGrad));
        model.Axes[0].MinimumPadding = model.Axes[0].MaximumPadding = 0;
        for (int i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            var (tag, label) = traced.Names(g);
            var line = HouseStyle.Line($"weight gradient: {tag}", label, Palette.Color(i));
            // Layer 0 has no weights (its column is empty): not a skipped value.
            foreach (var t in g.Where(t => t.Layer >= 1))
                if (skips.Ok(t.WgradLogSqMean)) line.Points.Add(new DataPoint(t.Layer, t.WgradLogSqMean));
            model.Series.Add(line);
        }
        skips.Flag(model);
        return model;
    }
}
