using System.Diagnostics;
using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// Cost of the finite-width theory (docs/finite-width.md §8): Predict and TauStar at a few cells, best of three calls
/// after a warm-up, wall time and process CPU time (the machine may be shared). Prints; asserts nothing.
/// </summary>
[Explicit("timing harness: prints the cost of Predict and TauStar")]
public class FiniteWidthTimingTests
{
    private static string Time(Action run)
    {
        double wall = double.MaxValue, cpu = double.MaxValue;
        for (int i = 0; i < 3; i++)
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

    [Test]
    public void PrintTimings()
    {
        for (int i = 0; i < 3; i++) FiniteWidthTheory.Predict(new NetworkSpec(256, 64, TauRule.Parse("1/sqrt(L)"))); // JIT warm-up
        foreach (int depth in new[] { 64, 1024, 4096 })
            foreach (string rule in new[] { "1/sqrt(L)", "L^-0.2" })
            {
                var spec = new NetworkSpec(256, depth, TauRule.Parse(rule));
                FiniteWidthPrediction? p = null;
                string t = Time(() => p = FiniteWidthTheory.PredictWith(spec, cached: false));
                TestContext.Out.WriteLine($"Predict m=256 L={depth} τ={rule}: {t} (fwd {p!.FwdLogSqMean:R}, bwd {p.BwdLogSqMean:R} ± {p.BwdLogSqSd:R})");
            }
        foreach (int depth in new[] { 64, 1024, 4096 })
        {
            double tau = 0;
            string t = Time(() => tau = ThresholdPrediction.TauStar(depth, 256, 10));
            TestContext.Out.WriteLine($"TauStar m=256 K=10 L={depth}: {t} (τ* = {tau:R})");
        }
    }
}
