using System.Diagnostics;
using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// Cost of the finite-width theory (docs/finite-width.md §8): Predict and TauStar at a few cells, best of seven calls
/// after a warm-up, wall time and process CPU time (the machine may be shared). Prints; asserts nothing.
/// </summary>
[Explicit("timing harness: prints the cost of Predict and TauStar")]
public class FiniteWidthTimingTests
{
    private static string Time(Action run)
    {
        double wall = double.MaxValue, cpu = double.MaxValue;
        for (int i = 0; i < 7; i++)
        {
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            run();
            wall = Math.Min(wall, sw.Elapsed.TotalMilliseconds);
            process.Refresh();
            cpu = Math.Min(cpu, (process.TotalProcessorTime - cpu0).TotalMilliseconds);
        }
        return $"{wall,8:F1} ms wall, {cpu,8:F1} ms CPU";
    }

    /// <summary>
    /// res1/ReLU (docs/finite-width.md §11): m = 256, τ = 1/√L and 0.1, L = 256 … 4096 (best of three; every returned
    /// moment with R formatting, so two builds can be compared number by number).
    /// </summary>
    [Test]
    public void PrintRes1Timings()
    {
        FiniteWidthTheory.Predict(new NetworkSpec(256, 64, TauRule.Parse("1/sqrt(L)"), BlockKind.Res1));
        foreach (string rule in new[] { "1/sqrt(L)", "0.1" })
            foreach (int depth in new[] { 256, 1024, 2048, 4096 })
            {
                var spec = new NetworkSpec(256, depth, TauRule.Parse(rule), BlockKind.Res1);
                FiniteWidthPrediction? p = null;
                double wall = double.MaxValue, cpu = double.MaxValue;
                for (int i = 0; i < 3; i++)
                {
                    var process = Process.GetCurrentProcess();
                    var cpu0 = process.TotalProcessorTime;
                    var sw = Stopwatch.StartNew();
                    p = FiniteWidthTheory.Predict(spec);
                    wall = Math.Min(wall, sw.Elapsed.TotalMilliseconds);
                    process.Refresh();
                    cpu = Math.Min(cpu, (process.TotalProcessorTime - cpu0).TotalMilliseconds);
                }
                TestContext.Out.WriteLine($"res1 m=256 L={depth} τ={rule}: {wall,8:F1} ms wall, {cpu,8:F1} ms CPU | {p!.FwdLogSqMean:R} {p.FwdLogSqSd:R} {p.BwdLogSqMean:R} {p.BwdLogSqSd:R} {p.Covariance:R} {p.BwdLogSqInfinite:R}");
            }
    }

    [Test]
    public void PrintTimings()
    {
        // Warm-up: the JIT's background tiering (whose CPU time the process total includes) settles before the timings.
        for (int i = 0; i < 3; i++) FiniteWidthTheory.Predict(new NetworkSpec(256, 256, TauRule.Parse("1/sqrt(L)")));
        ThresholdPrediction.TauStar(256, 256, 10);
        Thread.Sleep(2000);
        // The τ = 1/√L and τ = L^−0.2 rules, then the finest grids `fit` predicts on the quick report (τ = 1/L at L = 1024,
        // 3.6·10⁷ points; τ = L^−0.625 at L = 4096, 2.5·10⁷ points).
        (int, string)[] cells = [(64, "1/sqrt(L)"), (64, "L^-0.2"), (1024, "1/sqrt(L)"), (1024, "L^-0.2"), (4096, "1/sqrt(L)"), (4096, "L^-0.2"),
            (1024, "1/L"), (4096, "L^-0.625")];
        foreach (var (depth, rule) in cells)
        {
            var spec = new NetworkSpec(256, depth, TauRule.Parse(rule));
            FiniteWidthPrediction? p = null;
            string t = Time(() => p = FiniteWidthTheory.PredictWith(spec, cached: false));
            TestContext.Out.WriteLine($"Predict m=256 L={depth} τ={rule}: {t} (fwd {p!.FwdLogSqMean:R}, bwd {p.BwdLogSqMean:R} ± {p.BwdLogSqSd:R})");
        }
        // A second width on a schedule already computed: the width-free part comes from the cache.
        var other = new NetworkSpec(512, 1024, TauRule.Parse("1/sqrt(L)"));
        FiniteWidthTheory.Predict(new NetworkSpec(256, 1024, TauRule.Parse("1/sqrt(L)")));
        TestContext.Out.WriteLine($"Predict m=512 L=1024 τ=1/sqrt(L) after m=256 (cached): {Time(() => FiniteWidthTheory.Predict(other))}");
        foreach (int depth in new[] { 64, 1024, 4096 })
        {
            double tau = 0;
            string t = Time(() => tau = ThresholdPrediction.TauStar(depth, 256, 10));
            TestContext.Out.WriteLine($"TauStar m=256 K=10 L={depth}: {t} (τ* = {tau:R})");
        }
    }

    /// <summary>
    /// The two-scale grid (docs/finite-width.md §3) against the uniform grid of the same options, interleaved in this process:
    /// best of seven calls each, wall and process CPU time, at the cells of issue #13 (m = 512) and two of the quick grid.
    /// </summary>
    [Test]
    public void PrintTwoScaleRatios() =>
        PrintRatios(512, [(1024, "1/sqrt(L)"), (4096, "1/sqrt(L)"), (2048, "1/sqrt(L)"), (4096, "0.0825"), (4096, "0.0093")],
            _ => FiniteWidthLayers.FastGrid with { TwoScaleStep = 0 }, "uniform", "two-scale");

    /// <summary>
    /// The fast grid against the grid every cell used before (docs/finite-width.md §8), interleaved in this process (the
    /// machine's load hits both alike): best of seven calls each, wall and process CPU time, ratio before/after.
    /// </summary>
    [Test]
    public void PrintFastGridRatios() =>
        PrintRatios(256, [(1024, "1/sqrt(L)"), (4096, "1/sqrt(L)"), (1024, "L^-0.2"), (4096, "L^-0.2"), (1024, "1/L"), (4096, "L^-0.625")],
            spec => FiniteWidthTheory.GridFor(spec.TauSchedule(), fine: true), "before", "after");

    /// <summary>Predict with the reference grid (first) and the default one, interleaved, best of seven each.</summary>
    private static void PrintRatios(int width, (int Depth, string Rule)[] cells, Func<NetworkSpec, DensityGridOptions> reference, string first, string second)
    {
        for (int i = 0; i < 3; i++) FiniteWidthTheory.PredictWith(new NetworkSpec(width, 512, TauRule.Parse("1/sqrt(L)")), cached: false);
        Thread.Sleep(2000);
        foreach (var (depth, rule) in cells)
        {
            var spec = new NetworkSpec(width, depth, TauRule.Parse(rule));
            var grid = reference(spec);
            double[] wall = [double.MaxValue, double.MaxValue], cpu = [double.MaxValue, double.MaxValue];
            for (int i = 0; i < 7; i++)
                for (int k = 0; k < 2; k++)
                {
                    var process = Process.GetCurrentProcess();
                    var cpu0 = process.TotalProcessorTime;
                    var sw = Stopwatch.StartNew();
                    FiniteWidthTheory.PredictWith(spec, cached: false, grid: k == 0 ? grid : null);
                    wall[k] = Math.Min(wall[k], sw.Elapsed.TotalMilliseconds);
                    process.Refresh();
                    cpu[k] = Math.Min(cpu[k], (process.TotalProcessorTime - cpu0).TotalMilliseconds);
                }
            TestContext.Out.WriteLine($"Predict m={width} L={depth} τ={rule}: {first} {wall[0],7:F1} ms wall {cpu[0],7:F1} ms CPU, {second} {wall[1],7:F1} ms wall "
                + $"{cpu[1],7:F1} ms CPU; ratio {wall[0] / wall[1]:F2} wall, {cpu[0] / cpu[1]:F2} CPU");
        }
    }
}
