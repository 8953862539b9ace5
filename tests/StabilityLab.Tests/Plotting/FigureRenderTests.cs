using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Series;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Figures;
using StabilityLab.Plotting.Style;
using static StabilityLab.Tests.Plotting.PlotFixture;

namespace StabilityLab.Tests.Plotting;

/// <summary>
/// Every figure renders headless from a tiny real sweep (or explicit records): PNG, SVG and PDF with valid
/// headers, a PNG that is not blank, the expected series, and a CSV beside it holding exactly the plotted data.
/// </summary>
public sealed class FigureRenderTests
{
    private static string ExportAll(PlotModel model, string name, FigureSize? size = null)
    {
        var dir = NewDir(name);
        var written = FigureExporter.Export(model, dir, name, [FigureFormat.Png, FigureFormat.Svg, FigureFormat.Pdf], size ?? FigureSize.Double);
        Assert.That(written.Select(Path.GetFileName), Is.EquivalentTo(new[] { name + ".png", name + ".svg", name + ".pdf", name + ".csv" }));
        Assert.That(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories), Is.Empty, "no temporary files are left behind");
        AssertRendered(dir, name);
        AssertCsvMatchesModel(model, Path.Combine(dir, name + ".csv"));
        return dir;
    }

    private static int Titled(PlotModel m) => m.Series.Count(s => !string.IsNullOrEmpty(s.Title));

    [Test]
    public void DepthFigureDrawsEveryRuleWithBandsBoundsAndTheory()
    {
        var model = DepthFigure.Build(Sweep.Cells, new DepthFigureOptions { Theory = (tau, depth) => depth * Math.Log(1 + 1.5 * tau * tau) });
        ExportAll(model, "depth");
        Assert.Multiple(() =>
        {
            // Per distinct τ (1/sqrt(L) and L^-beta [beta=0.5] are one): bounds band, CI band, mean line, median line, theory line.
            Assert.That(DataSeries(model), Has.Count.EqualTo(5 * (Rules.Length - 1)));
            Assert.That(Titled(model), Is.EqualTo(Rules.Length - 1 + 4), "one legend entry per distinct τ plus four style keys");
            Assert.That(model.Axes.OfType<LogarithmicAxis>().Count(a => a.Position == AxisPosition.Bottom), Is.EqualTo(1), "depth on a log axis");
            Assert.That(model.Axes.Single(a => a.Position == AxisPosition.Left).Title, Does.Contain("natural log"));
        });
        var theory = Line(model, "1/sqrt(L): theory ln(Q_L/Q_0)");
        Assert.That(theory.LineStyle, Is.EqualTo(LineStyle.Dash));
        Assert.That(theory.Points.Select(p => p.Y), Is.EqualTo(new[] { 4 * Math.Log(1 + 1.5 / 4), 16 * Math.Log(1 + 1.5 / 16) }).AsCollection.Within(1e-12));
    }

    [Test]
    public void DepthBoundsAreTheExactFirstMomentBounds()
    {
        var model = DepthFigure.Build(Sweep.Cells, new DepthFigureOptions { Rules = ["1/sqrt(L)"] });
        var band = model.Series.OfType<AreaSeries>().Single(s => (string)s.Tag == "1/sqrt(L): exact bounds on ln E ratio");
        Assert.Multiple(() =>
        {
            Assert.That(band.Points.Select(p => p.X), Is.EqualTo(new double[] { 4, 16 }));
            Assert.That(band.Points2.Select(p => p.Y), Is.EqualTo(new[] { 4 * Math.Log(1 + 1 / 4.0), 16 * Math.Log(1 + 1 / 16.0) }).AsCollection.Within(1e-12), "L·ln(1+τ²)");
            Assert.That(band.Points.Select(p => p.Y), Is.EqualTo(new[] { 4 * Math.Log(1 + 2 / 4.0), 16 * Math.Log(1 + 2 / 16.0) }).AsCollection.Within(1e-12), "L·ln(1+2τ²)");
            Assert.That(Titled(model), Is.EqualTo(1 + 3), "a caller's rule filter is honoured");
        });
    }

    [Test]
    public void HeatmapColoursLog10OfTheMedianOverDepthAndBeta()
    {
        var threshold = new[] { new ThresholdPoint(4, Math.Pow(4, -0.45), 0.4, 0.6), new ThresholdPoint(16, Math.Pow(16, -0.45), 0.2, 0.3) };
        var model = HeatmapFigure.Build(Sweep.Cells, new HeatmapFigureOptions { Threshold = threshold });
        ExportAll(model, "heatmap");
        var rects = model.Series.OfType<RectangleSeries>().Single();
        var cells = ((HeatmapCells)rects.Tag).Centres;
        var beta = Sweep.Cells.Where(c => c.Rule.Family.ToString() == "L^-beta").ToList();
        Assert.That(rects.Items, Has.Count.EqualTo(beta.Count), "one cell per (L, β)");
        for (int i = 0; i < cells.Count; i++)
        {
            var row = beta.Single(c => c.Depth == cells[i].X && c.Rule.Parameters[0].Value == cells[i].Y);
            Assert.That(rects.Items[i].Value, Is.EqualTo(row.FwdLogSqQ50 / Math.Log(10)).Within(1e-12), "colour = fwd_log_sq_q50 / ln 10");
        }
        var half = Line(model, "tau = L^(-1/2)");
        var fit = Line(model, "fitted threshold");
        var colour = model.Axes.OfType<LinearColorAxis>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(half.Points.Select(p => p.Y), Is.All.EqualTo(0.5), "τ = L^{-1/2} is β = 1/2");
            Assert.That(fit.Points.Select(p => p.Y), Is.EqualTo(new[] { 0.45, 0.45 }).AsCollection.Within(1e-12), "τ* mapped to β* = −ln τ*/ln L");
            Assert.That(colour.Minimum, Is.EqualTo(-colour.Maximum), "diverging map centred on 0");
            Assert.That(colour.Title, Does.Contain("log_{10}"));
            Assert.That(DataSeries(model), Has.Count.EqualTo(3));
        });
    }

    [Test]
    public void HeatmapOverTauUsesOneCellPerDistinctTauAndTheCurveLToTheMinusHalf()
    {
        var model = HeatmapFigure.Build(Sweep.Cells, new HeatmapFigureOptions { OverTau = true });
        ExportAll(model, "heatmap-tau");
        var rects = model.Series.OfType<RectangleSeries>().Single();
        var centres = ((HeatmapCells)rects.Tag).Centres;
        int distinct = Sweep.Cells.Select(c => (c.Depth, Math.Round(Math.Log(c.Tau), 9))).Distinct().Count();
        var half = Line(model, "tau = L^(-1/2)");
        Assert.Multiple(() =>
        {
            Assert.That(rects.Items, Has.Count.EqualTo(distinct), "β = 1/2 and 1/√L share a τ: one cell");
            Assert.That(centres.Select(c => (c.X, c.Y)).Distinct().Count(), Is.EqualTo(centres.Count));
            Assert.That(model.Axes.Single(a => a.Position == AxisPosition.Left), Is.InstanceOf<LogarithmicAxis>(), "τ on a log axis");
            Assert.That(half.Points.All(p => Math.Abs(p.Y - Math.Pow(p.X, -0.5)) < 1e-12), Is.True, "the curve τ = L^{-1/2}");
        });
    }

    [Test]
    public void HeatmapCanColourTheBackwardRatio()
    {
        var model = HeatmapFigure.Build(Sweep.Cells, new HeatmapFigureOptions { Backward = true });
        var rects = model.Series.OfType<RectangleSeries>().Single();
        var cells = ((HeatmapCells)rects.Tag).Centres;
        var row = Sweep.Cells.Single(c => c.Depth == cells[0].X && c.Rule.Family.ToString() == "L^-beta" && c.Rule.Parameters[0].Value == cells[0].Y);
        Assert.That(rects.Items[0].Value, Is.EqualTo(row.BwdLogSqQ50 / Math.Log(10)).Within(1e-12));
    }

    [Test]
    public void LayersFigureDrawsForwardAndBackwardPanels()
    {
        var model = LayersFigure.Build(Sweep.Traces, Sweep.Cells);
        ExportAll(model, "layers");
        Assert.Multiple(() =>
        {
            Assert.That(DataSeries(model), Has.Count.EqualTo(4 * (Rules.Length - 1)), "forward and backward, line and band, per distinct τ");
            Assert.That(Titled(model), Is.EqualTo(Rules.Length - 1));
            var line = Line(model, "forward: 1/sqrt(L)");
            Assert.That(line.Points, Has.Count.EqualTo(17), "layers 0..16");
            Assert.That(line.Points[0].Y, Is.EqualTo(0), "ln(‖h_0‖²/‖h_0‖²) = 0");
        });
    }

    [Test]
    public void LayersFigureTakesChosenCells()
    {
        int cell = Sweep.Traces.First(t => t.Rule.ToString() == "L^-beta [beta=1]").Cell;
        var model = LayersFigure.Build(Sweep.Traces, Sweep.Cells, new LayersFigureOptions { Select = new TraceSelection(Cells: [cell]) });
        Assert.That(DataSeries(model), Has.Count.EqualTo(4));
    }

    [Test]
    public void GradientsFiguresDrawBackwardRatiosAndWeightGradients()
    {
        var byDepth = GradientsFigure.Build(Sweep.Cells);
        var byLayer = GradientsFigure.BuildLayers(Sweep.Traces, Sweep.Cells);
        ExportAll(byDepth, "gradients");
        ExportAll(byLayer, "gradients-layers");
        var row = Sweep.Cells.Single(c => c.Rule.ToString() == "1/sqrt(L)" && c.Depth == 16);
        Assert.Multiple(() =>
        {
            Assert.That(DataSeries(byDepth), Has.Count.EqualTo(Rules.Length - 1), "1/sqrt(L) and L^-beta [beta=0.5] are the same cells: one series");
            var half = Line(byDepth, "1/sqrt(L): median ln backward ratio");
            Assert.That(DataY(byDepth, half, half.Points[^1].Y), Is.EqualTo(row.BwdLogSqQ50));
            Assert.That(DataSeries(byLayer), Has.Count.EqualTo(Rules.Length - 1), "1/sqrt(L) and L^-beta [beta=0.5] trace the same cells: one group");
            Assert.That(byLayer.Series.OfType<LineSeries>().First().Points.Select(p => p.X), Is.EqualTo(Enumerable.Range(1, 16).Select(l => (double)l)), "layers 1..16 (layer 0 has no weights)");
        });
    }

    [Test]
    public void ThresholdFigureShowsCompensatedEstimatesFitAndFlatReference()
    {
        var points = new[] { 8, 16, 32, 64, 128 }.Select(L => new ThresholdPoint(L, 1.2 * Math.Pow(L, -0.5), 1.0 * Math.Pow(L, -0.5), 1.4 * Math.Pow(L, -0.5))).ToList();
        var fit = new PowerLawFit(-0.48, -0.55, -0.41, Math.Log(1.2));
        var model = ThresholdFigure.Build(points, fit);
        ExportAll(model, "threshold");
        var line = Line(model, "fit");
        var reference = Line(model, "reference slope");
        double slope(LineSeries s) => Math.Log(s.Points[^1].Y / s.Points[0].Y) / Math.Log(s.Points[^1].X / s.Points[0].X);
        Assert.Multiple(() =>
        {
            Assert.That(line.Title, Does.Contain("−0.48").And.Contain("[−0.55, −0.41]"), "slope and interval written on the plot");
            Assert.That(slope(line), Is.EqualTo(-0.48 + 0.5).Within(1e-12), "τ*·√L of a law L^α grows like L^(α+1/2)");
            Assert.That(reference.Points.Select(p => p.Y).Distinct().Count(), Is.EqualTo(1), "α = −1/2 is flat");
            Assert.That(model.Series.OfType<ScatterSeries>().Single().Points.Select(p => p.Y), Is.All.EqualTo(1.2).Within(1e-12), "the estimates times √L");
            Assert.That(model.Axes.Single(a => a.Position == AxisPosition.Bottom), Is.InstanceOf<LogarithmicAxis>());
            Assert.That(model.Axes.Single(a => a.Position == AxisPosition.Left), Is.Not.InstanceOf<LogarithmicAxis>(), "τ*·√L on a linear axis");
            Assert.That(DataSeries(model), Has.Count.EqualTo(4));
        });
    }

    [Test]
    public void ThresholdFigureDrawsTheFiniteSizeCorrectedFitBesideThePrediction()
    {
        int[] depths = [16, 64, 256, 1024];
        // A prediction approaching its limit 1.5 like L^(−1/2), thresholds 1% above it, and a verdict's fit that says so.
        var predicted = depths.ToDictionary(L => L, L => 1.5 * (1 + 2 / Math.Sqrt(L)) / Math.Sqrt(L));
        var points = depths.Select(L => new ThresholdPoint(L, 1.01 * predicted[L], predicted[L], 1.02 * predicted[L])).ToList();
        var exponent = new ThresholdExponentLaw(-0.5, -0.5012, -0.4988, Math.Log(1.01), 0.9, predicted, 1.5);
        var model = ThresholdFigure.Build(points, new PowerLawFit(-0.56, -0.6, -0.52, 1.0), new ThresholdFigureOptions { Exponent = exponent });
        ExportAll(model, "threshold-corrected");
        var fit = Line(model, "fit");
        var theory = Line(model, "prediction");
        var limit = Line(model, "large-L limit");
        var straight = Line(model, "straight line");
        Assert.Multiple(() =>
        {
            Assert.That(fit.Title, Does.Contain("−0.5000 [−0.5012, −0.4988]"), "as many decimals as the interval needs");
            Assert.That(straight.Title, Does.Contain("no finite-size term").And.Contain("−0.56"));
            Assert.That(fit.Points.Zip(model.Series.OfType<ScatterSeries>().Single().Points, (a, b) => a.Y / b.Y), Is.All.EqualTo(1).Within(1e-12),
                "α = −1/2 with C = 1.01: the fit passes through thresholds 1% above the prediction");
            Assert.That(theory.Points.Zip(fit.Points, (a, b) => b.Y / a.Y), Is.All.EqualTo(1.01).Within(1e-12));
            Assert.That(limit.Points.Select(p => p.Y), Is.All.EqualTo(1.5));
            Assert.That(model.Series.OfType<LineSeries>().Any(s => (string)s.Tag == "reference slope"), Is.False, "the limit is the flat reference");
        });
    }

    [Test]
    public void ConverseFigureShowsPointsAndGrowthLaws()
    {
        var series = ConverseFigure.FromCells(Sweep.Cells);
        Assert.That(series.Select(s => s.C), Is.EqualTo(new[] { 0.1, 0.2 }));
        var withFits = series.Select(s => s with { Fit = new PowerLawFit(2 * s.C, 1.5 * s.C, 2.5 * s.C, 0.3) }).ToList();
        var model = ConverseFigure.Build(withFits);
        ExportAll(model, "converse");
        Assert.Multiple(() =>
        {
            Assert.That(DataSeries(model), Has.Count.EqualTo(3 * 2), "intervals, points and fit per c");
            Assert.That(model.Series.OfType<ScatterSeries>().First().Points.Select(p => p.Y),
                Is.EqualTo(Sweep.Cells.Where(c => c.Rule.ToString() == "L^(-1/2+c) [c=0.1]").OrderBy(c => c.Depth).Select(c => c.FwdLogMeanSq)));
        });
    }

    [Test]
    public void TrainingFigureReadsATolerantCurvesFileAndDrawsPanelsPerRule()
    {
        var dir = NewDir("training-data");
        var lines = new List<string> { "step,extra,loss,depth,tau_rule,seed,lr" };
        foreach (var rule in new[] { "1/sqrt(L)", "\"a*L^-b [a=1, b=0.5]\"" })
            foreach (var depth in new[] { 4, 16 })
                foreach (var seed in new[] { 1, 2 })
                    for (int step = 0; step <= 40; step += 10)
                        lines.Add(FormattableString.Invariant($"{step},x,{Math.Exp(-0.05 * step) * (1 + 0.1 * seed)},{depth},{rule},{seed},0.1"));
        File.WriteAllText(Path.Combine(dir, PlotData.CurvesFile), string.Join("\n", lines) + "\n");
        var curves = PlotData.ReadTrainingCurves(Path.Combine(dir, PlotData.CurvesFile));
        Assert.That(curves.Select(c => c.Rule.ToString()).Distinct(), Is.EqualTo(new[] { "1/sqrt(L)", "a*L^-b [a=1, b=0.5]" }), "quoted field with a comma");
        var model = TrainingFigure.Build(curves);
        ExportAll(model, "training");
        Assert.Multiple(() =>
        {
            Assert.That(DataSeries(model), Has.Count.EqualTo(2 * 2 * 2), "line and seed band per (rule, depth)");
            Assert.That(Titled(model), Is.EqualTo(2), "one legend entry per depth");
            Assert.That(model.Axes.Count(a => a.Position == AxisPosition.Bottom), Is.EqualTo(2), "one panel per rule");
            Assert.That(model.Axes.Single(a => a.Position == AxisPosition.Left), Is.InstanceOf<LogarithmicAxis>());
        });
    }

    [Test]
    public void SingleColumnSizeRendersAtItsOwnResolution()
    {
        var dir = ExportAll(DepthFigure.Build(Sweep.Cells), "depth-single", FigureSize.Single);
        using var bitmap = SkiaSharp.SKBitmap.Decode(Path.Combine(dir, "depth-single.png"));
        Assert.That((bitmap.Width, bitmap.Height), Is.EqualTo((FigureSize.Single.PngWidth, FigureSize.Single.PngHeight)));
        Assert.That(bitmap.Width, Is.EqualTo(1005), "3.35 in at 300 dpi");
    }

    [Test]
    public void DoubleColumnPngIs1800By1200()
    {
        Assert.That((FigureSize.Double.PngWidth, FigureSize.Double.PngHeight), Is.EqualTo((1800, 1200)));
    }
}
