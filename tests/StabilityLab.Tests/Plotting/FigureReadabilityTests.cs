using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Series;
using SkiaSharp;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Figures;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;
using static StabilityLab.Tests.Plotting.PlotFixture;

namespace StabilityLab.Tests.Plotting;

/// <summary>
/// Issue 18 item 3: the depth and gradients figures' log y axis (symlog where a value is ≤ 0), one series per distinct τ,
/// a diverged-run × that is drawn whole, training medians that do not jump when a seed stops, and the slides theme.
/// </summary>
public sealed class FigureReadabilityTests
{
    private static Axis LeftAxis(PlotModel m) => m.Axes.Single(a => a.Position == AxisPosition.Left);

    [Test]
    public void DepthYAxisIsLogarithmicWhenEveryPlottedValueIsPositive()
    {
        var model = DepthFigure.Build(Sweep.Cells, new DepthFigureOptions { Rules = ["L^-beta [beta=0]", "1/sqrt(L)"], ShowMedian = false, ShowBounds = false });
        var values = DataSeries(model).OfType<LineSeries>().SelectMany(s => s.Points).Select(p => p.Y).ToList();
        Assume.That(values, Is.All.GreaterThan(0), "ln E ratio of the post block is positive");
        Assert.That(LeftAxis(model), Is.InstanceOf<LogarithmicAxis>());
        Assert.That(LeftAxis(model).Title, Does.Contain("log scale"));
    }

    [Test]
    public void DepthYAxisFallsBackToSymlogAndSaysSoWhenAValueIsNotPositive()
    {
        var cells = Sweep.Cells.Select(c => c with { FwdLogSqQ50 = -Math.Abs(c.FwdLogSqQ50) - 0.5 }).ToList();
        var model = DepthFigure.Build(cells);
        Assert.That(LeftAxis(model), Is.InstanceOf<SymLogAxis>());
        Assert.That(model.Subtitle, Does.Contain("symlog"));
        var png = FigureExporter.Render(model, FigureFormat.Png, FigureSize.Double);
        Assert.That(png, Is.Not.Empty);
        Assert.That(model.PlotArea.Height, Is.GreaterThan(0.5 * model.Height), "the plot area is laid out, not squeezed to nothing");
        var axis = (SymLogAxis)LeftAxis(model);
        // Monotone through 0, and values of both signs land inside the plot area.
        double lo = axis.Transform(-1), zero = axis.Transform(0), hi = axis.Transform(1);
        Assert.That(Math.Sign(zero - lo), Is.EqualTo(Math.Sign(hi - zero)).And.Not.EqualTo(0));
    }

    [Test]
    public void EqualRulesAreOneSeriesNamedByBoth()
    {
        var model = DepthFigure.Build(Sweep.Cells);
        var halves = model.Series.Where(s => s.Title is { } t && t.Contains("1/√L")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(halves, Has.Count.EqualTo(1), "1/sqrt(L) and L^-beta [beta=0.5] are the same cells");
            Assert.That(halves[0].Title, Does.Contain("β = 0.5").And.Contain("L^{−β}"));
            Assert.That(model.Series.Count(s => s.Title is { } t && t.Contains("0.5") && !t.Contains("1/√L")), Is.Zero, "no second series for β = 0.5");
        });
    }

    [Test]
    public void GradientsDrawEqualRulesOnce()
    {
        var model = GradientsFigure.Build(Sweep.Cells);
        var halves = model.Series.Where(s => s.Title is { } t && t.Contains("1/√L")).ToList();
        Assert.That(halves, Has.Count.EqualTo(1), "1/sqrt(L) and L^-beta [beta=0.5] are the same cells");
        Assert.That(halves[0].Title, Does.Contain("β = 0.5"));
        Assert.That(model.Series.Count(s => s.Title is { } t && t.Contains("0.5") && !t.Contains("1/√L")), Is.Zero);
    }

    [Test]
    public void EqualRulesAreComputedOnce()
    {
        var seen = new List<TauRule>();
        DepthFigure.Build(Sweep.Cells, new DepthFigureOptions { FiniteWidthMedian = c => { seen.Add(c.Rule); return null; } });
        var half = seen.Where(r => r.IsPowerLaw(1, -0.5)).Distinct().ToList();
        Assert.That(half, Has.Count.EqualTo(1), "the finite-width prediction is asked for one of the two equal rules");
    }

    [Test]
    public void LayersDrawEqualRulesOnce()
    {
        var model = LayersFigure.Build(Sweep.Traces, Sweep.Cells);
        var halves = model.Series.Where(s => s.Title is { } t && t.Contains("1/√L")).ToList();
        Assert.That(halves, Has.Count.EqualTo(1));
        Assert.That(halves[0].Title, Does.Contain("β = 0.5"));
        Assert.That(DataSeries(model), Has.Count.EqualTo(4 * (Rules.Length - 1)));
    }

    [Test]
    public void GradientsYAxisIsLogOrSymlogNotLinear()
    {
        // On a linear axis the bounded rules lay flat on zero under the growing one.
        var model = GradientsFigure.Build(Sweep.Cells);
        var values = DataSeries(model).OfType<LineSeries>().SelectMany(s => s.Points).Select(p => p.Y).ToList();
        var axis = LeftAxis(model);
        if (values.All(v => v > 0))
            Assert.That(axis, Is.InstanceOf<LogarithmicAxis>());
        else
        {
            Assert.That(axis, Is.InstanceOf<SymLogAxis>(), "a value ≤ 0 needs the symlog axis");
            Assert.That(model.Subtitle, Does.Contain("symlog"));
        }
        FigureExporter.Render(model, FigureFormat.Png, FigureSize.Double);
        Assert.That(model.PlotArea.Height, Is.GreaterThan(0.5 * model.Height), "the plot area is laid out, not squeezed to nothing");
        Assert.That(axis.Title, Does.Contain("∂F"));
    }

    [Test]
    public void ALongSubtitleWrapsToThePlotAreaBesideTheLegend()
    {
        // The subtitle is centred over the plot area; beside a legend on the right, a line as wide as the figure ran
        // off its left edge. Width estimated at 0.6 em a character (HouseStyle.Wrap).
        var subtitle = "post block, relu, width m = 256, 500 networks per cell; median and 5–95% band over networks; g_l = ∂F/∂h_l";
        var model = DepthFigure.Build(Sweep.Cells, new DepthFigureOptions { Subtitle = subtitle });
        FigureExporter.Render(model, FigureFormat.Png, FigureSize.Double);
        var lines = model.Subtitle.Split('\n');
        Assert.That(lines, Has.Length.GreaterThan(1));
        Assert.That(lines.Max(l => l.Length) * 0.6 * model.SubtitleFontSize, Is.LessThanOrEqualTo(model.PlotArea.Width));
    }

    [Test]
    public void TrainingMedianStopsWhereTheFirstSeedStoppedWithoutADivergedMark()
    {
        // Two seeds converge and meet the stopping rule at steps 20 and 40: past step 20 a "median" of one seed would jump.
        var curves = new List<TrainingCurvePoint>();
        foreach (var (seed, last) in new[] { (1, 20), (2, 40), (3, 60) })
            for (int step = 0; step <= last; step += 10)
                curves.Add(new TrainingCurvePoint(TauRule.Parse("1/sqrt(L)"), 8, seed, step, Math.Exp(-0.1 * seed * step)));
        var model = TrainingFigure.Build(curves);
        var line = DataSeries(model).OfType<LineSeries>().Single(s => s is not AreaSeries);
        Assert.Multiple(() =>
        {
            Assert.That(line.Points.Max(p => p.X), Is.EqualTo(20));
            Assert.That(line.Points.Single(p => p.X == 20).Y, Is.EqualTo(Math.Exp(-0.1 * 2 * 20)).Within(1e-12), "the median of the three seeds at step 20");
            Assert.That(model.Series.OfType<ScatterSeries>().Where(s => s.Points.Count > 0), Is.Empty, "a converged run is not marked diverged");
            Assert.That(model.Subtitle, Does.Contain("first seed stopped"));
        });
    }

    [Test]
    public void DivergedMarkerIsACrossDrawnWholeInsideItsPanel()
    {
        var curves = new List<TrainingCurvePoint>();
        foreach (var rule in new[] { "1/sqrt(L)", "1" })
            foreach (var depth in new[] { 4, 16 })
            {
                // τ = 1 at L = 16 diverges at once: its only point is step 0, on the panel's left edge.
                int last = rule == "1" && depth == 16 ? 0 : 40;
                for (int step = 0; step <= last; step += 10)
                    curves.Add(new TrainingCurvePoint(TauRule.Parse(rule), depth, 1, step, Math.Exp(-0.05 * step)));
            }
        var model = TrainingFigure.Build(curves);
        FigureExporter.Render(model, FigureFormat.Png, FigureSize.Double);
        var stops = model.Series.OfType<ScatterSeries>().Where(s => s.Points.Count > 0).ToList();
        Assert.That(stops, Has.Count.EqualTo(1));
        var stop = stops[0];
        double x = stop.XAxis.Transform(stop.Points[0].X);
        double left = Math.Min(stop.XAxis.ScreenMin.X, stop.XAxis.ScreenMax.X), right = Math.Max(stop.XAxis.ScreenMin.X, stop.XAxis.ScreenMax.X);
        Assert.Multiple(() =>
        {
            Assert.That(stop.MarkerType, Is.EqualTo(MarkerType.Cross), "the legend promises ×");
            Assert.That(model.Series.OfType<ScatterSeries>().Single(s => s.Title is not null).MarkerType, Is.EqualTo(stop.MarkerType));
            Assert.That(x - stop.MarkerSize, Is.GreaterThanOrEqualTo(left), "the × is not clipped to its right half at the panel edge");
            Assert.That(x + stop.MarkerSize, Is.LessThanOrEqualTo(right));
        });
    }

    [Test]
    public void SlidesThemeDarkensTheBackgroundAndEnlargesTheType()
    {
        var paper = DepthFigure.Build(Sweep.Cells);
        var slides = DepthFigure.Build(Sweep.Cells);
        var paperPng = FigureExporter.Render(paper, FigureFormat.Png, FigureSize.Double);
        var slidesPng = FigureExporter.Render(slides, FigureFormat.Png, FigureSize.Double, FigureTheme.Slides);
        FigureExporter.Render(slides, FigureFormat.Svg, FigureSize.Double, FigureTheme.Slides);
        double paperLine = paper.Series.OfType<LineSeries>().First(s => s.Title is not null).StrokeThickness;
        double slidesLine = slides.Series.OfType<LineSeries>().First(s => s.Title is not null).StrokeThickness;
        using var p = SKBitmap.Decode(paperPng);
        using var s = SKBitmap.Decode(slidesPng);
        static double Luma(SKColor c) => 0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue;
        Assert.Multiple(() =>
        {
            Assert.That(Luma(p.GetPixel(2, 2)), Is.GreaterThan(200), "paper: white");
            Assert.That(Luma(s.GetPixel(2, 2)), Is.LessThan(80), "slides: dark background");
            Assert.That(LeftAxis(slides).TitleFontSize, Is.GreaterThan(LeftAxis(paper).TitleFontSize * 1.2));
            Assert.That(slidesLine, Is.GreaterThan(paperLine * 1.2), "thicker lines, once even when exported twice");
            Assert.That(slidesLine, Is.LessThan(paperLine * FigureTheme.Slides.LineScale * 1.01));
        });
    }

    [Test]
    public void PlotTakesATheme()
    {
        var outDir = NewDir("theme-cli");
        var (code, stdout, _) = CliHarness.Run("plot", SweepDir, "--figure", "depth", "--format", "png", "--theme", "slides", "--out", outDir);
        Assert.That(code, Is.Zero, stdout);
        using var s = SKBitmap.Decode(Path.Combine(outDir, "depth.png"));
        Assert.That(s.GetPixel(2, 2).Red, Is.LessThan(80));
        var (bad, _, err) = CliHarness.Run("plot", SweepDir, "--figure", "depth", "--theme", "poster", "--out", NewDir("theme-bad"));
        Assert.That(bad, Is.EqualTo(2));
        Assert.That(err, Does.Contain("poster"));
    }
}
