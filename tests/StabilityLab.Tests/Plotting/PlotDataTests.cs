using OxyPlot;
using OxyPlot.Series;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Figures;
using StabilityLab.Plotting.Style;
using static StabilityLab.Tests.Plotting.PlotFixture;
using StabilityLab.Tables;

namespace StabilityLab.Tests.Plotting;

/// <summary>The CSV reader, τ rule names, rule selection, and that no NaN/∞ reaches a plot or a file.</summary>
public sealed class PlotDataTests
{
    [Test]
    public void CsvTableReadsQuotedFieldsCrLfAndABom()
    {
        var t = CsvTable.Parse("\uFEFFa,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",\r\n", "test");
        Assert.Multiple(() =>
        {
            Assert.That(t.Header, Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(t.Rows, Has.Count.EqualTo(2));
            Assert.That(t.Rows[0], Is.EqualTo(new[] { "1", "x, y", "say \"hi\"" }));
            Assert.That(t.Rows[1], Is.EqualTo(new[] { "2", "two\nlines", "" }));
            Assert.That(CsvTable.Number("NaN"), Is.NaN);
            Assert.That(CsvTable.Number("Infinity"), Is.NaN, "±∞ reads as NaN so it gets skipped");
            Assert.That(CsvTable.Number(""), Is.NaN);
        });
    }

    [Test]
    public void CsvTableRejectsRaggedRowsMissingColumnsAndOpenQuotes()
    {
        Assert.Throws<SpecException>(() => CsvTable.Parse("a,b\n1,2,3\n"));
        Assert.Throws<SpecException>(() => CsvTable.Parse("a,b\n\"1,2\n"));
        Assert.Throws<SpecException>(() => CsvTable.Parse(""));
        var e = Assert.Throws<SpecException>(() => CellsTable.Parse(CsvTable.Parse("block,width\npost,16\n", "cells.csv")));
        Assert.That(e!.Message, Does.Contain("cells.csv").And.Contain("column"));
    }

    [Test]
    public void CellsCsvRoundTripsThroughTheReader()
    {
        var row = Sweep.Cells.Single(c => c.Rule.ToString() == "L^-beta [beta=0.5]" && c.Depth == 16);
        Assert.Multiple(() =>
        {
            Assert.That(Sweep.Cells, Has.Count.EqualTo(Rules.Length * 2));
            Assert.That(Sweep.Cells.Select(c => c.Rule.ToString()).Distinct(), Is.EquivalentTo(Rules));
            Assert.That(row.Tau, Is.EqualTo(0.25).Within(1e-15));
            Assert.That(row.Width, Is.EqualTo(16));
            Assert.That(row.Trials, Is.EqualTo(24));
            Assert.That(row.FwdLogMeanSqLo, Is.LessThanOrEqualTo(row.FwdLogMeanSq));
            Assert.That(Sweep.Traces.Select(t => t.Depth).Distinct(), Is.EqualTo(new[] { 16 }));
            Assert.That(Sweep.Traces.Where(t => t.Layer == 0).Select(t => t.WgradLogSqMean), Is.All.NaN, "layer 0 has no weight gradient");
        });
    }

    [TestCase("L^-beta [beta=0.25]", "L^-beta", "τ = L^{−0.25}")]
    [TestCase("1/sqrt(L)", "1/sqrt(L)", "τ = 1/√L")]
    [TestCase("L^(-1/2+c) [c=0.1]", "L^(-1/2+c)", "τ = L^{−1/2+0.1}")]
    [TestCase("0.5*L^-0.5", "0.5*L^-0.5", "τ = 0.5·L^{−0.5}")]
    [TestCase("1/sqrt(l*log(l+1)^2)", "1/sqrt(l*log(l+1)^2)", "τ = 1/√(l·log(l+1)^{2})")]
    public void TauRuleNamesSplitAndTypeset(string text, string family, string label)
    {
        var n = TauRule.ParseBound(text);
        Assert.Multiple(() =>
        {
            Assert.That(n.Family.ToString(), Is.EqualTo(family));
            Assert.That(TauLabel.Of(n), Is.EqualTo(label));
            Assert.That(n.FreeParameters, Is.Empty, "the rule parses back for exact bounds");
            Assert.That(n.ToString(), Is.EqualTo(text), "the rule is written back as it was read");
        });
    }

    [Test]
    public void TauRuleWithTwoParametersKeepsBoth()
    {
        var n = TauRule.ParseBound("a*L^-b [a=2, b=0.5]");
        Assert.That(n.Parameters.Select(p => (p.Key, p.Value)), Is.EqualTo(new[] { ("a", 2.0), ("b", 0.5) }));
        Assert.That(n.Evaluate(16, 1), Is.EqualTo(0.5));
    }

    [Test]
    public void DefaultRuleSelectionKeepsNonFamilyRulesAndAFewMembers()
    {
        var rules = Enumerable.Range(0, 9).Select(i => TauRule.ParseBound($"L^-beta [beta={i / 8.0}]")).Append(TauRule.Parse("1/sqrt(L)")).ToList();
        var chosen = RuleSelection.Default(rules).Select(r => r.ToString());
        Assert.That(chosen, Is.EqualTo(new[] { "L^-beta [beta=0.25]", "L^-beta [beta=0.5]", "L^-beta [beta=0.75]", "1/sqrt(L)" }));
        Assert.Throws<SpecException>(() => RuleSelection.Choose(rules, ["nope"]));
    }

    [Test]
    public void NonFiniteValuesAreSkippedAndFlaggedNeverPlotted()
    {
        var cells = Sweep.Cells.Select(c => c.Rule.ToString() == "1/sqrt(L)" && c.Depth == 16
            ? c with { FwdLogSqQ50 = double.NaN, FwdLogMeanSq = double.PositiveInfinity } : c).ToList();
        var model = DepthFigure.Build(cells);
        var median = Line(model, "1/sqrt(L): median ln ratio");
        var mean = Line(model, "1/sqrt(L): ln E ratio");
        Assert.Multiple(() =>
        {
            Assert.That(median.Points.Select(p => p.X), Is.EqualTo(new double[] { 4 }), "the NaN median is left out");
            Assert.That(mean.Points.Select(p => p.X), Is.EqualTo(new double[] { 4 }), "the infinite mean is left out");
            Assert.That(model.Subtitle, Does.Contain("non-finite"), "the figure says values were skipped");
        });
        var dir = NewDir("nonfinite");
        FigureExporter.Export(model, dir, "depth", [FigureFormat.Svg], FigureSize.Double);
        var csv = File.ReadAllText(Path.Combine(dir, "depth.csv"));
        Assert.That(csv, Does.Not.Contain("NaN").And.Not.Contain("Infinity").And.Not.Contain("∞"));
    }

    [Test]
    public void AModelHoldingNaNIsRefusedBeforeAnythingIsWritten()
    {
        var model = HouseStyle.NewModel();
        var s = HouseStyle.Line("bad", "bad", Palette.Blue);
        s.Points.Add(new DataPoint(1, double.NaN));
        model.Series.Add(s);
        var dir = NewDir("nan-model");
        Assert.Throws<InvalidOperationException>(() => FigureExporter.Export(model, dir, "bad", [FigureFormat.Png], FigureSize.Double));
        Assert.That(Directory.GetFiles(dir), Is.Empty, "no file, not even a temporary one");
    }

    [Test]
    public void LogAxesSkipNonPositiveValues()
    {
        var points = new[] { new ThresholdPoint(8, 0.3, 0.2, 0.4), new ThresholdPoint(16, 0, 0, 0.1), new ThresholdPoint(32, 0.2, 0.1, 0.3) };
        var model = ThresholdFigure.Build(points);
        Assert.That(model.Series.OfType<ScatterSeries>().Single().Points.Select(p => p.X), Is.EqualTo(new double[] { 8, 32 }));
        Assert.That(model.Subtitle, Does.Contain("≤ 0"));
    }

    [Test]
    public void ThresholdFromBetaMapsTheIntervalTheRightWayRound()
    {
        var p = ThresholdPoint.FromBeta(100, 0.5, 0.4, 0.6);
        Assert.Multiple(() =>
        {
            Assert.That(p.Tau, Is.EqualTo(0.1).Within(1e-12));
            Assert.That(p.Lo, Is.EqualTo(Math.Pow(100, -0.6)).Within(1e-12));
            Assert.That(p.Hi, Is.EqualTo(Math.Pow(100, -0.4)).Within(1e-12));
            Assert.That(p.Beta, Is.EqualTo(0.5).Within(1e-12));
        });
    }
}
