using OxyPlot.Series;
using StabilityLab.Fitting;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Figures;
using StabilityLab.Plotting.Style;
using static StabilityLab.Tests.Plotting.PlotFixture;

namespace StabilityLab.Tests.Plotting;

/// <summary>The finite-width theory in figures: the depth figure's dash-dot median per rule, and the theory-z map from theory.csv.</summary>
public sealed class TheoryFigureTests
{
    private static string Export(OxyPlot.PlotModel model, string name)
    {
        var dir = NewDir(name);
        FigureExporter.Export(model, dir, name, [FigureFormat.Png, FigureFormat.Svg, FigureFormat.Pdf], FigureSize.Double);
        AssertRendered(dir, name);
        AssertCsvMatchesModel(model, Path.Combine(dir, name + ".csv"));
        return dir;
    }

    [Test]
    public void DepthFigureAddsTheFiniteWidthMedianPerRuleWithItsLegendKey()
    {
        var plain = DepthFigure.Build(Sweep.Cells);
        var model = DepthFigure.Build(Sweep.Cells, new DepthFigureOptions { FiniteWidthMedian = c => c.FwdLogSqQ50 + 0.01 });
        Export(model, "depth-finite");
        var curves = model.Series.OfType<LineSeries>().Where(s => NameOf(s) is { } n && n.Contains("finite-width")).ToList();
        Assert.That(curves, Has.Count.EqualTo(Rules.Length - 1), "one per distinct τ: 1/sqrt(L) = L^-beta [beta=0.5]");
        Assert.That(curves.All(c => c.LineStyle == OxyPlot.LineStyle.DashDot));
        Assert.That(model.Series.Count(s => s.Title == "theory, width m: median of ln(ratio)"), Is.EqualTo(1));
        Assert.That(model.Series, Has.Count.EqualTo(plain.Series.Count + Rules.Length - 1 + 1));
    }

    [Test]
    public void TheoryZMapsEveryPredictedCellAndMarksThoseOutsideTheRegime()
    {
        var cells = Sweep.Cells.Where(SweepAnalysis.IsPostRelu).ToList();
        var rows = TheoryComparison.Compare(cells);
        var dir = NewDir("theory-csv");
        var path = Path.Combine(dir, TheoryZFigure.FileName);
        File.WriteAllText(path, TheoryComparison.Csv(rows));
        var points = TheoryZFigure.Read(path);
        Assert.That(points, Has.Count.EqualTo(rows.Count(r => r.Predicted)));
        foreach (var p in points)
        {
            var r = rows.Single(x => x.Depth == p.Depth && x.Tau == p.Tau && x.Predicted);
            Assert.That(Math.Abs(p.Z), Is.EqualTo(r.MaxAbsZ).Within(1e-12));
        }
        var marked = points.Select((p, i) => i == 0 ? p with { Inside = false } : p).ToList();
        var model = TheoryZFigure.Build(marked);
        Export(model, "theory-z");
        Assert.That(model.Series.OfType<RectangleSeries>().Single().Items, Has.Count.EqualTo(points.DistinctBy(p => (p.Depth, p.Tau)).Count()));
        Assert.That(model.Series.OfType<ScatterSeries>().Single().Points, Has.Count.EqualTo(1));
    }
}
