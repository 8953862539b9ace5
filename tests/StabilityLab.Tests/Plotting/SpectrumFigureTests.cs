using OxyPlot.Series;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Figures;
using StabilityLab.Plotting.Style;
using StabilityLab.Spectral;

namespace StabilityLab.Tests.Plotting;

public class SpectrumFigureTests
{
    private static OperatorNormPoint P(string rule, int depth, double medianNorm) =>
        new(rule, depth, 64, ProductQuantity.MaxPair, 8, 2 * Math.Log(medianNorm), 2 * Math.Log(medianNorm) - 0.1, 2 * Math.Log(medianNorm) + 0.1,
            2 * Math.Log(medianNorm), 2 * Math.Log(medianNorm) - 0.3, 2 * Math.Log(medianNorm) + 0.3);

    [Test]
    public void DrawsOneMedianLineAndBandPerRuleAndWritesWhatItPlots()
    {
        var points = new[] { P("1/sqrt(L)", 4, 4), P("1/sqrt(L)", 16, 4.2), P("L^-0.25", 4, 7), P("L^-0.25", 16, 33) };
        var model = SpectrumFigure.Build(points);
        var lines = model.Series.OfType<LineSeries>().Where(s => s is not AreaSeries).ToList();
        Assert.That(lines, Has.Count.EqualTo(2));
        Assert.That(model.Series.OfType<AreaSeries>().Count(), Is.EqualTo(2));
        Assert.That(lines[1].Points.Select(p => p.Y), Is.EqualTo(new[] { 7.0, 33.0 }).Within(1e-9));
        var dir = Directory.CreateTempSubdirectory("spectrum-fig-").FullName;
        try
        {
            var files = FigureExporter.Export(model, dir, "spectrum", [FigureFormat.Png], FigureSize.Double);
            var png = File.ReadAllBytes(files.First(f => f.EndsWith(".png")));
            Assert.That(png.Take(4), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
            var csv = File.ReadAllLines(Path.Combine(dir, "spectrum.csv"));
            Assert.That(csv.Any(l => l.Contains("L^-0.25: median") && l.Contains(",16,33")), Is.True, string.Join("\n", csv));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
