using StabilityLab.Models;
using OxyPlot;
using OxyPlot.Axes;
using StabilityLab.Plotting.Style;
using StabilityLab.Spectral;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>
/// Figure "spectrum" (claim 1 of docs/science.md §2): the operator norm of block products
/// ‖D_b(I+τW_b)···D_a(I+τW_a)‖₂ against depth L, one line per τ rule: the median over networks
/// of the largest norm over the evaluated pairs (a, b), with its 5–95% band, on log–log axes.
/// Expected: flat at τ = 1/√L, growing without bound at τ = L^{−1/4}.
/// </summary>
public static class SpectrumFigure
{
    public const string Name = "spectrum";

    public static PlotModel Build(IReadOnlyList<OperatorNormPoint> points, ProductQuantity quantity = ProductQuantity.MaxPair, string? subtitle = null)
    {
        var rows = points.Where(p => p.Quantity == quantity).ToList();
        if (rows.Count == 0) throw new Models.SpecException("no operator-norm points to plot");
        var skips = new SkipCounter();
        string what = quantity == ProductQuantity.MaxPair ? "largest over block pairs (a, b)" : "whole product";
        var model = HouseStyle.NewModel(null, subtitle ?? $"{what}; median over networks, 5–95% band, width m = {rows[0].Width}");
        model.Axes.Add(HouseStyle.DepthAxis(AxisPosition.Bottom, Symbols.DepthAxis, rows.Select(r => r.Depth)));
        model.Axes.Add(HouseStyle.Log(AxisPosition.Left, "operator norm ‖D_{b}(I+τW_{b})···D_{a}(I+τW_{a})‖_{2} (log scale)"));
        var rules = rows.Select(r => TauRule.ParseBound(r.TauRule)).Distinct().ToList();
        var lines = new List<OxyPlot.Series.Series>();
        for (int i = 0; i < rules.Count; i++)
        {
            var color = Palette.Color(i);
            var band = HouseStyle.Band($"{rules[i]}: 5–95%", null, color);
            var line = HouseStyle.Line($"{rules[i]}: median", TauLabel.Of(rules[i]), color, Palette.Marker(i));
            foreach (var p in rows.Where(r => TauRule.ParseBound(r.TauRule).Equals(rules[i])).OrderBy(r => r.Depth))
            {
                double med = Math.Exp(p.MedianLogSq / 2), lo = Math.Exp(p.Q05 / 2), hi = Math.Exp(p.Q95 / 2);
                if (!skips.OkPositive(med) || !skips.OkPositive(lo) || !skips.OkPositive(hi)) continue;
                line.Points.Add(new DataPoint(p.Depth, med));
                band.Points.Add(new DataPoint(p.Depth, hi));
                band.Points2.Add(new DataPoint(p.Depth, lo));
            }
            model.Series.Add(band);
            lines.Add(line);
        }
        foreach (var l in lines) model.Series.Add(l);
        skips.Flag(model);
        return model;
    }
}
