using System.Globalization;
using OxyPlot;
using OxyPlot.Series;
using SkiaSharp;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Style;
using StabilityLab.Sweeps;
using StabilityLab.Tables;

namespace StabilityLab.Tests.Plotting;

/// <summary>
/// A tiny real sweep (SweepRunner, width 16, depths 4 and 16, a β family, 1/√L and a c family, traces at
/// L = 16), made once for all plotting tests, and independent checks of what a figure wrote.
/// </summary>
[SetUpFixture]
public sealed class PlotFixture
{
    public static string Root { get; private set; } = "";
    public static string SweepDir => Path.Combine(Root, "sweep");
    public static SweepData Sweep { get; private set; } = null!;

    /// <summary>The τ rules of the fixture sweep, as cells.csv writes them.</summary>
    public static readonly string[] Rules =
        ["L^-beta [beta=0]", "L^-beta [beta=0.5]", "L^-beta [beta=1]", "1/sqrt(L)", "L^(-1/2+c) [c=0.1]", "L^(-1/2+c) [c=0.2]"];

    [OneTimeSetUp]
    public void MakeSweep()
    {
        Root = Directory.CreateTempSubdirectory("plot-test-").FullName;
        var spec = new SweepSpec
        {
            Blocks = ["post"],
            Widths = [16],
            Depths = [4, 16],
            Taus =
            [
                new TauGridEntry("L^-beta", new Dictionary<string, double[]> { ["beta"] = [0, 0.5, 1] }),
                new TauGridEntry("1/sqrt(L)"),
                new TauGridEntry("L^(-1/2+c)", new Dictionary<string, double[]> { ["c"] = [0.1, 0.2] }),
            ],
            Trials = 24,
            Seed = 3,
            // The figure tests expect every cell's log E interval to exist; with 24 trials at m = 16 that holds for these
            // Threefry draws, while Philox's (seed 3) leave both L = 16 converse cells not estimable, which the figure skips.
            Generator = "threefry",
            Bootstrap = 20,
            TraceDepths = [16],
        };
        SweepRunner.Run(spec, new SweepRunOptions(SweepDir, Threads: 2));
        Sweep = SweepTables.ReadSweep(SweepDir);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    public static string NewDir(string name) => Directory.CreateDirectory(Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    /// <summary>The name a series is written under (its Tag, else its Title), as the test reads it.</summary>
    public static string? NameOf(Series s) => s.Tag switch
    {
        string t => t,
        HeatmapCells h => h.Name,
        _ => s.Title,
    };

    /// <summary>The line (not the band, which shares its name) written under a name.</summary>
    public static LineSeries Line(PlotModel m, string name) =>
        m.Series.OfType<LineSeries>().Single(s => s is not AreaSeries && NameOf(s) == name);

    /// <summary>
    /// The data value of a plotted y: on a symmetric-log axis the series hold asinh-transformed values
    /// (Style/SymLogAxis.cs), and the CSV and the cells hold the data they came from.
    /// </summary>
    public static double DataY(PlotModel m, Series s, double y) => SymLogAxis.DataValues(m, s)(y);

    /// <summary>Series that carry data (at least one point).</summary>
    public static IReadOnlyList<Series> DataSeries(PlotModel m) => m.Series.Where(s => s switch
    {
        AreaSeries a => a.Points.Count > 0,
        LineSeries l => l.Points.Count > 0,
        ScatterSeries sc => sc.Points.Count > 0,
        HighLowSeries h => h.Items.Count > 0,
        RectangleSeries r => r.Items.Count > 0,
        _ => false,
    }).ToList();

    /// <summary>
    /// Reads NAME.csv back and checks it holds exactly the model's points: every line/scatter point as (x, y),
    /// every band or interval as (x, lo, hi), every heatmap cell as a value, and nothing else.
    /// </summary>
    public static void AssertCsvMatchesModel(PlotModel model, string csvPath)
    {
        var table = CsvTable.Read(csvPath);
        int s = table.Column("series"), x = table.Column("x"), y = table.Column("y");
        int lo = table.Has("lo") ? table.Column("lo") : -1, hi = table.Has("hi") ? table.Column("hi") : -1, v = table.Has("value") ? table.Column("value") : -1;
        static double? D(string f) => f.Length == 0 ? null : double.Parse(f, NumberStyles.Float, CultureInfo.InvariantCulture);
        var rows = table.Rows.Select(r => (S: r[s], X: D(r[x])!.Value, Y: D(r[y]), Lo: lo >= 0 ? D(r[lo]) : null, Hi: hi >= 0 ? D(r[hi]) : null, V: v >= 0 ? D(r[v]) : null)).ToList();
        foreach (var row in rows)
            foreach (var d in new[] { row.X, row.Y, row.Lo, row.Hi, row.V })
                Assert.That(d is null || double.IsFinite(d.Value), Is.True, $"non-finite value in {csvPath}");

        var keys = new HashSet<(string, double, double?)>();
        foreach (var series in DataSeries(model))
        {
            var name = NameOf(series)!;
            double Y(double t) => DataY(model, series, t);
            Assert.That(name, Is.Not.Null, "every data series has a name");
            switch (series)
            {
                case AreaSeries a:
                    Assert.That(a.Points2, Has.Count.EqualTo(a.Points.Count), $"band {name}");
                    for (int i = 0; i < a.Points.Count; i++)
                    {
                        var (px, plo, phi) = (a.Points[i].X, Y(a.Points2[i].Y), Y(a.Points[i].Y));
                        Assert.That(rows.Any(r => r.S == name && r.X == px && r.Lo == plo && r.Hi == phi), Is.True, $"band point {name} at x={px} is in the CSV");
                        keys.Add((name, px, null));
                    }
                    break;
                case LineSeries l:
                    foreach (var p in l.Points)
                    {
                        Assert.That(rows.Any(r => r.S == name && r.X == p.X && r.Y == Y(p.Y)), Is.True, $"point {name} ({p.X}, {Y(p.Y)}) is in the CSV");
                        keys.Add((name, p.X, null));
                    }
                    break;
                case ScatterSeries sc:
                    foreach (var p in sc.Points)
                    {
                        Assert.That(rows.Any(r => r.S == name && r.X == p.X && r.Y == Y(p.Y)), Is.True, $"point {name} ({p.X}, {Y(p.Y)}) is in the CSV");
                        keys.Add((name, p.X, null));
                    }
                    break;
                case HighLowSeries h:
                    foreach (var it in h.Items)
                    {
                        Assert.That(rows.Any(r => r.S == name && r.X == it.X && r.Lo == it.Low && r.Hi == it.High), Is.True, $"interval {name} at x={it.X} is in the CSV");
                        keys.Add((name, it.X, null));
                    }
                    break;
                case RectangleSeries r:
                    var centres = ((HeatmapCells)r.Tag).Centres;
                    Assert.That(centres, Has.Count.EqualTo(r.Items.Count));
                    for (int i = 0; i < r.Items.Count; i++)
                    {
                        var (cx, cy, value) = (centres[i].X, centres[i].Y, r.Items[i].Value);
                        Assert.That(rows.Any(q => q.S == name && q.X == cx && q.Y == cy && q.V == value), Is.True, $"cell {name} ({cx}, {cy}) is in the CSV");
                        keys.Add((name, cx, cy));
                    }
                    break;
            }
        }
        Assert.That(rows, Has.Count.EqualTo(keys.Count), "the CSV has one row per plotted (series, x) and nothing more");
    }

    /// <summary>Checks the three files' headers and that the PNG shows something: non-white pixels in several colours.</summary>
    public static void AssertRendered(string dir, string name)
    {
        var png = File.ReadAllBytes(Path.Combine(dir, name + ".png"));
        var svg = File.ReadAllText(Path.Combine(dir, name + ".svg"));
        var pdf = File.ReadAllBytes(Path.Combine(dir, name + ".pdf"));
        Assert.Multiple(() =>
        {
            Assert.That(png.Take(8), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), "PNG signature");
            Assert.That(svg, Does.Contain("<svg"), "SVG root element");
            Assert.That(System.Text.Encoding.ASCII.GetString(pdf, 0, 5), Is.EqualTo("%PDF-"), "PDF header");
        });
        using var bitmap = SKBitmap.Decode(png);
        Assert.That(bitmap, Is.Not.Null, "the PNG decodes");
        int total = 0, nonWhite = 0;
        var colours = new HashSet<uint>();
        for (int yy = 0; yy < bitmap.Height; yy += 3)
            for (int xx = 0; xx < bitmap.Width; xx += 3)
            {
                var c = bitmap.GetPixel(xx, yy);
                total++;
                if (c.Red < 235 || c.Green < 235 || c.Blue < 235) nonWhite++;
                colours.Add((uint)(c.Red >> 4 << 8 | c.Green >> 4 << 4 | c.Blue >> 4));
            }
        Assert.Multiple(() =>
        {
            Assert.That((double)nonWhite / total, Is.GreaterThan(0.01), "the PNG is not blank");
            Assert.That(colours, Has.Count.GreaterThan(8), "the PNG has several colours (data, not only axes)");
        });
    }
}
