using System.Diagnostics;
using MathNet.Numerics.Statistics;

namespace StabilityLab.Statistics;

/// <summary>Wall-clock timing for benchmarks: one run, or the median of repeated runs.</summary>
public static class Timing
{
    public static double Seconds(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>The median of <paramref name="repeats"/> timed runs (robust to a busy neighbour now and then).</summary>
    public static double MedianSeconds(int repeats, Action action) =>
        Enumerable.Range(0, repeats).Select(_ => Seconds(action)).Median();
}
