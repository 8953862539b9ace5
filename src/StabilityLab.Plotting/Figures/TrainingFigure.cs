using System.Globalization;
using OxyPlot;
using OxyPlot.Series;
using OxyPlot.Axes;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>What <see cref="TrainingFigure"/> draws.</summary>
public sealed record TrainingFigureOptions
{
    /// <summary>tau_rule values, one panel each, in this order; null: every rule, in order of appearance.</summary>
    public IReadOnlyList<string>? Rules { get; init; }

    public string? Title { get; init; }
    public string? Subtitle { get; init; }
}

/// <summary>
/// Figure "training": training loss (log axis, shared by all panels) against the step, one panel per τ rule side
/// by side, one colour per depth L (the same in every panel); the median over seeds as a line and, with
/// several seeds, their min–max range as a band, both up to the step where the first seed stopped; × marks a curve
/// that ended early above its start (diverged).
/// </summary>
public static class TrainingFigure
{
    public const string Name = "training";
    private const double Gap = 0.07;

    public static PlotModel Build(IReadOnlyList<TrainingCurvePoint> curves, TrainingFigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0) throw new SpecException("no training curve points to plot");
        var o = options ?? new TrainingFigureOptions();
        var rules = o.Rules is { Count: > 0 } ? RuleSelection.Choose(curves.Select(c => c.Rule), o.Rules) : curves.Select(c => c.Rule).Distinct().ToList();
        var depths = curves.Select(c => c.Depth).Distinct().Order().ToList();
        int seeds = curves.Select(c => c.Seed).Distinct().Count();
        var skips = new SkipCounter();
        var model = HouseStyle.NewModel(o.Title, o.Subtitle ?? (seeds > 1 ? $"median over {seeds} seeds, min–max band" : null));
        model.Axes.Add(HouseStyle.Log(AxisPosition.Left, Symbols.Loss, "loss"));

        double width = (1 - Gap * (rules.Count - 1)) / rules.Count;
        var lines = new List<OxyPlot.Series.Series>();
        int lastStep = curves.Max(c => c.Step);
        bool anyStopped = false, cut = false;
        for (int p = 0; p < rules.Count; p++)
        {
            string xKey = $"step{p}";
            double start = p * (width + Gap), end = start + width;
            var x = HouseStyle.Linear(AxisPosition.Bottom, Symbols.StepAxis, xKey);
            x.StartPosition = start;
            x.EndPosition = end;
            // 3% room at both ends: a run that diverged at step 0 has its × on the panel's left edge, and a marker
            // there is clipped to its right half ('‹'). Every panel spans the same steps, also one whose runs all
            // stopped at step 0.
            x.Minimum = -0.03 * Math.Max(lastStep, 1);
            x.Maximum = 1.03 * Math.Max(lastStep, 1);
            x.AxislineStyle = LineStyle.Solid;
            x.AxislineColor = HouseStyle.Muted;
            model.Axes.Add(x);
            model.Axes.Add(HouseStyle.PanelLabel(AxisPosition.Top, TauLabel.Of(rules[p]), start, end, $"head{p}"));
            foreach (var (depth, di) in depths.Select((d, i) => (d, i)))
            {
                var runs = curves.Where(c => c.Rule.Equals(rules[p]) && c.Depth == depth).ToList();
                if (runs.Count == 0) continue;
                var color = Palette.Color(di);
                string name = $"{rules[p]}, L={depth.ToString(CultureInfo.InvariantCulture)}";
                var band = HouseStyle.Band(name, null, color, HouseStyle.LightBandAlpha * 1.5, xKey, "loss");
                var line = HouseStyle.Line(name, p == 0 ? $"L = {depth.ToString(CultureInfo.InvariantCulture)}" : null, color, MarkerType.None, xKey, "loss");
                // The median and band of all seeds, up to the step where the first seed stopped (met its stopping
                // rule or diverged): beyond it a median of the seeds left would jump.
                int common = runs.GroupBy(c => c.Seed).Min(g => g.Max(c => c.Step));
                cut |= runs.Max(c => c.Step) > common;
                foreach (var step in runs.Where(c => c.Step <= common).GroupBy(c => c.Step).OrderBy(g => g.Key))
                {
                    var losses = step.Select(c => c.Loss).Where(v => skips.OkPositive(v)).Order().ToArray();
                    if (losses.Length == 0) continue;
                    double median = losses.Length % 2 == 1 ? losses[losses.Length / 2] : Math.Sqrt(losses[losses.Length / 2 - 1] * losses[losses.Length / 2]);
                    line.Points.Add(new DataPoint(step.Key, median));
                    if (seeds > 1)
                    {
                        band.Points.Add(new DataPoint(step.Key, losses[^1]));
                        band.Points2.Add(new DataPoint(step.Key, losses[0]));
                    }
                }
                if (band.Points.Count > 0) model.Series.Add(band);
                lines.Add(line);
                // A curve that ends early above where it started diverged: mark where it ended.
                if (line.Points.Count > 0 && line.Points[^1].X < lastStep && line.Points[^1].Y >= line.Points[0].Y)
                {
                    var stop = new ScatterSeries { Title = null, MarkerType = MarkerType.Cross, MarkerSize = 7, MarkerStroke = color, MarkerStrokeThickness = 2, XAxisKey = xKey, YAxisKey = "loss" };
                    stop.Points.Add(new ScatterPoint(line.Points[^1].X, line.Points[^1].Y));
                    lines.Add(stop);
                    anyStopped = true;
                }
            }
        }
        foreach (var s in lines) model.Series.Add(s);
        if (cut && seeds > 1) model.Subtitle = (string.IsNullOrEmpty(model.Subtitle) ? "" : model.Subtitle + "; ") + "each curve ends where its first seed stopped";
        if (anyStopped)
            model.Series.Add(new ScatterSeries { Title = "run stopped (diverged)", MarkerType = MarkerType.Cross, MarkerSize = 7, MarkerStroke = HouseStyle.Muted, MarkerStrokeThickness = 2, XAxisKey = "step0", YAxisKey = "loss" });
        skips.Flag(model);
        return model;
    }
}
