using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>What <see cref="HeatmapFigure"/> draws.</summary>
public sealed record HeatmapFigureOptions
{
    public CellFilter Filter { get; init; } = CellFilter.Default;

    /// <summary>The τ family for the y axis (e.g. <c>L^-beta</c>); null: the one-parameter family with the most members.</summary>
    public string? Family { get; init; }

    /// <summary>Plot over (L, τ) even when a family is present (then every rule of the sweep is a cell).</summary>
    public bool OverTau { get; init; }

    /// <summary>Colour the backward ratio ‖∂F/∂h_0‖²/‖∂F/∂h_L‖² instead of the forward one.</summary>
    public bool Backward { get; init; }

    /// <summary>Colour range ±limit in decades; null: the largest |value|, at most <see cref="HeatmapFigure.DefaultColorLimit"/>.</summary>
    public double? ColorLimit { get; init; }

    /// <summary>A fitted threshold τ*(L) to draw over the map (in β coordinates, β* = −ln τ*/ln L).</summary>
    public IReadOnlyList<ThresholdPoint>? Threshold { get; init; }

    public string? Title { get; init; }
    public string? Subtitle { get; init; }
}

/// <summary>
/// Figure "heatmap": the median log₁₀ norm ratio (forward ‖h_L‖²/‖h_0‖² = e^{fwd_log_sq_q50}, or backward)
/// over (L, β) for a family such as τ = L^{−β} (or over (L, τ) otherwise), on a diverging map centred on 0
/// (blue: shrinks, white: stays, vermillion: grows; values beyond the range take the end colours), with the
/// line τ = L^{−1/2} (β = 1/2) and an optional fitted threshold drawn over it.
/// </summary>
public static class HeatmapFigure
{
    public const string Name = "heatmap";
    public const double DefaultColorLimit = 4;

    public static PlotModel Build(IReadOnlyList<CellRow> cells, HeatmapFigureOptions? options = null)
    {
        var o = options ?? new HeatmapFigureOptions();
        var (rows, description) = o.Filter.Apply(cells);
        var skips = new SkipCounter();

        // y coordinate: the family parameter, or τ itself.
        TauRule? family = o.OverTau ? null : o.Family is not null ? RequestedFamily(o.Family) : rows.Select(r => r.Rule).Where(n => n.Parameters.Count == 1)
            .GroupBy(n => n.Family).OrderByDescending(g => g.Distinct().Count()).FirstOrDefault()?.Key;
        if (o.Family is not null && !rows.Any(r => r.Rule.Family.Equals(family) && r.Rule.Parameters.Count == 1))
            throw new SpecException($"no one-parameter τ family '{o.Family}' in the data");
        var used = family is null ? rows : rows.Where(r => r.Rule.Family.Equals(family) && r.Rule.Parameters.Count == 1).ToList();
        double Y(CellRow r) => family is null ? r.Tau : r.Rule.Parameters[0].Value;
        var param = family is null ? null : used[0].Rule.Parameters[0].Key;
        bool exactBeta = family is not null && used.All(r => r.Depth > 1
            ? Math.Abs(Math.Log(r.Tau) + Y(r) * Math.Log(r.Depth)) < 1e-9 * (1 + Math.Abs(Math.Log(r.Tau)))
            : true);

        string yTitle = family is null ? "τ (log scale)"
            : exactBeta ? $"{TauLabel.Symbol(param!)}  (τ = L^{{−{TauLabel.Symbol(param!)}}})"
            : $"{TauLabel.Symbol(param!)}  ({TauLabel.Family(used[0].Rule)})";
        string what = o.Backward ? Symbols.Log10Backward : Symbols.Log10Forward;

        var values = used.Select(r => (Row: r, V: (o.Backward ? r.BwdLogSqQ50 : r.FwdLogSqQ50) / Math.Log(10)))
            .Where(p => skips.Ok(p.V) && (family is not null || skips.OkPositive(p.Row.Tau))).ToList();
        // Over τ, two rules can give the same τ at a depth (L^-0.5 and 1/sqrt(L)): one cell each, the first rule's.
        if (family is null)
            values = values.GroupBy(p => (p.Row.Depth, Math.Round(Math.Log(p.Row.Tau), 9))).Select(g => g.First()).ToList();
        if (values.Count == 0) throw new SpecException("no finite values to draw in the heatmap");
        double maxAbs = values.Max(p => Math.Abs(p.V));
        double limit = o.ColorLimit ?? Math.Min(Math.Max(maxAbs, 0.1), DefaultColorLimit);
        if (!(limit > 0) || !double.IsFinite(limit)) throw new SpecException($"colour limit must be positive (got {limit})");
        bool clipped = maxAbs > limit;

        var model = HouseStyle.NewModel(o.Title, o.Subtitle ?? (clipped
            ? description + $"; colours clipped at ±{limit.ToString("G3", CultureInfo.InvariantCulture)} decades"
            : description));
        var legend = model.Legends[0];
        legend.LegendPosition = LegendPosition.TopCenter;
        legend.LegendOrientation = LegendOrientation.Horizontal;
        var depths = values.Select(p => p.Row.Depth).Distinct().Order().ToArray();
        model.Axes.Add(HouseStyle.DepthAxis(AxisPosition.Bottom, Symbols.DepthAxis, depths));
        var yAxis = family is null ? (Axis)HouseStyle.Log(AxisPosition.Left, yTitle) : HouseStyle.Linear(AxisPosition.Left, yTitle);
        yAxis.MinimumPadding = yAxis.MaximumPadding = 0;
        model.Axes.Add(yAxis);
        model.Axes[0].MinimumPadding = model.Axes[0].MaximumPadding = 0;
        // No gridlines over a map; grey marks where the grid has no cell, white is a ratio of 1.
        foreach (var a in model.Axes)
        {
            a.MajorGridlineStyle = LineStyle.None;
            a.MinorGridlineStyle = LineStyle.None;
        }
        model.PlotAreaBackground = HouseStyle.NoData;
        model.Axes.Add(HouseStyle.DivergingColorBar("median " + what, limit));

        // Cells: rectangles between midpoints (geometric in L, and in τ on a log axis; arithmetic in a parameter).
        var xEdges = Edges(depths.Select(d => (double)d).ToArray(), geometric: true);
        var rects = new RectangleSeries { Tag = new HeatmapCells("median " + (o.Backward ? "log10 backward ratio" : "log10 forward ratio"), []) };
        var centres = new List<DataPoint>();
        for (int i = 0; i < depths.Length; i++)
        {
            var column = values.Where(p => p.Row.Depth == depths[i]).OrderBy(p => Y(p.Row)).ToList();
            var ys = column.Select(p => Y(p.Row)).ToArray();
            var yEdges = Edges(ys, geometric: family is null);
            for (int k = 0; k < column.Count; k++)
            {
                // Cells overlap their neighbours by a hair, so vector renderers show no seams between them.
                var (x0, x1) = Inflate(xEdges[i], xEdges[i + 1], geometric: true);
                var (y0, y1) = Inflate(yEdges[k], yEdges[k + 1], geometric: family is null);
                rects.Items.Add(new RectangleItem(x0, x1, y0, y1, column[k].V));
                centres.Add(new DataPoint(depths[i], ys[k]));
            }
        }
        rects.Tag = new HeatmapCells(((HeatmapCells)rects.Tag).Name, centres);
        model.Series.Add(rects);

        // τ = L^{-1/2}: in β coordinates where ln τ(p) crosses −½ ln L at each depth; over τ, the curve itself.
        var half = HouseStyle.Line("tau = L^(-1/2)", "τ = " + Symbols.InvSqrtL, HouseStyle.Text);
        half.StrokeThickness = HouseStyle.LineWidth;
        // Exact forms span the whole map (edge to edge); an interpolated family only has values at its depths.
        var lineXs = family is null || exactBeta
            ? new[] { xEdges[0] }.Concat(depths.Select(d => (double)d)).Append(xEdges[^1])
            : depths.Select(d => (double)d);
        foreach (var d in lineXs.Where(d => d > 1))
        {
            double? y = family is null ? Math.Pow(d, -0.5) : exactBeta ? 0.5 : ParameterAt(used, (int)d, -0.5 * Math.Log(d), false);
            if (y is { } v && skips.Ok(v)) half.Points.Add(new DataPoint(d, v));
        }
        if (half.Points.Count > 0) model.Series.Add(half);

        if (o.Threshold is { Count: > 0 } thr)
        {
            var fit = HouseStyle.Line("fitted threshold", "fitted threshold τ*(L)", HouseStyle.Text, MarkerType.Circle);
            fit.LineStyle = LineStyle.Dash;
            fit.MarkerFill = OxyColors.White;
            foreach (var t in thr.OrderBy(t => t.Depth))
            {
                if (!skips.OkPositive(t.Tau) || t.Depth <= 1) continue;
                double? y = family is null ? t.Tau : ParameterAt(used, t.Depth, Math.Log(t.Tau), exactBeta);
                if (y is { } v && skips.Ok(v)) fit.Points.Add(new DataPoint(t.Depth, v));
            }
            if (fit.Points.Count > 0) model.Series.Add(fit);
        }
        skips.Flag(model);
        return model;
    }

    // A family the user names that does not parse is simply not in the data.
    private static TauRule? RequestedFamily(string text)
    {
        try
        {
            return TauRule.Parse(text);
        }
        catch (SpecException)
        {
            return null;
        }
    }

    /// <summary>The family parameter at which ln τ = lnTau at depth L: exact for τ = L^{−β}, else interpolated between cells.</summary>
    private static double? ParameterAt(IReadOnlyList<CellRow> family, int depth, double lnTau, bool exactBeta)
    {
        if (exactBeta) return -lnTau / Math.Log(depth);
        var pts = family.Where(r => r.Depth == depth && r.Tau > 0).Select(r => (P: r.Rule.Parameters[0].Value, T: Math.Log(r.Tau)))
            .OrderBy(p => p.P).ToList();
        for (int i = 0; i + 1 < pts.Count; i++)
        {
            var (p0, t0) = pts[i];
            var (p1, t1) = pts[i + 1];
            if ((t0 - lnTau) * (t1 - lnTau) <= 0 && t0 != t1) return p0 + (lnTau - t0) * (p1 - p0) / (t1 - t0);
        }
        return null;
    }

    private static (double, double) Inflate(double a, double b, bool geometric)
    {
        const double hair = 0.004;
        if (geometric)
        {
            double f = Math.Pow(b / a, hair);
            return (a / f, b * f);
        }
        double d = (b - a) * hair;
        return (a - d, b + d);
    }

    /// <summary>n+1 cell edges around n sorted centres: midpoints, ends extended by half a step.</summary>
    internal static double[] Edges(double[] c, bool geometric)
    {
        var f = geometric ? c.Select(v => Math.Log(v)).ToArray() : c;
        var e = new double[c.Length + 1];
        if (c.Length == 1)
        {
            double w = geometric ? Math.Log(2) / 2 : Math.Max(Math.Abs(f[0]) * 0.05, 0.05);
            e[0] = f[0] - w;
            e[1] = f[0] + w;
        }
        else
        {
            for (int i = 1; i < c.Length; i++) e[i] = (f[i - 1] + f[i]) / 2;
            e[0] = f[0] - (f[1] - f[0]) / 2;
            e[^1] = f[^1] + (f[^1] - f[^2]) / 2;
        }
        return geometric ? e.Select(v => Math.Exp(v)).ToArray() : e;
    }
}
