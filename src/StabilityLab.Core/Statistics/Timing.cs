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

    /// <summary>
    /// Runs the actions in turn for at least <paramref name="seconds"/> in all: long enough for the JIT to replace their
    /// first, unoptimized code (it recompiles a method in the background some 100 ms after its 30th call), so that
    /// what is timed next is the code that long runs use.
    /// </summary>
    public static void WarmUp(double seconds, params Action[] actions)
    {
        var sw = Stopwatch.StartNew();
        do foreach (var a in actions) a();
        while (sw.Elapsed.TotalSeconds < seconds);
    }

    /// <summary>The median of <paramref name="repeats"/> timed runs (robust to a busy neighbour now and then).</summary>
    public static double MedianSeconds(int repeats, Action action) =>
        Enumerable.Range(0, repeats).Select(_ => Seconds(action)).Median();

    /// <summary>
    /// The medians of <paramref name="repeats"/> timed runs of two actions run alternately, so that a load that comes
    /// and goes on a shared machine weighs on both alike (for a ratio of the two).
    /// </summary>
    public static (double First, double Second) MedianSecondsAlternating(int repeats, Action first, Action second)
    {
        var (a, b) = Alternating(repeats, first, second);
        return (a.Median(), b.Median());
    }

    /// <summary>
    /// The <paramref name="quantile"/>-quantiles of <paramref name="repeats"/> timed runs of two actions run
    /// alternately. For actions much shorter than a scheduler slice a low quantile is each one's undisturbed time: runs
    /// slowed by a neighbour (on the same core, or in the shared caches, which slow a memory-bound action more than a
    /// cache-resident one) fall in the upper part of each sample.
    /// </summary>
    public static (double First, double Second) QuantileSecondsAlternating(int repeats, double quantile, Action first, Action second)
    {
        var (a, b) = Alternating(repeats, first, second);
        return (a.Quantile(quantile), b.Quantile(quantile));
    }

    private static (double[] First, double[] Second) Alternating(int repeats, Action first, Action second)
    {
        var t = InTurn(repeats, first, second);
        return (t[0], t[1]);
    }

    /// <summary>The medians of <paramref name="repeats"/> timed runs of several actions run in turn (as <see cref="MedianSecondsAlternating"/>).</summary>
    public static double[] MedianSecondsInTurn(int repeats, params Action[] actions) => InTurn(repeats, actions).Select(v => v.Median()).ToArray();

    /// <summary>The <paramref name="quantile"/>-quantiles of timed runs of several actions run in turn (as <see cref="QuantileSecondsAlternating"/>).</summary>
    public static double[] QuantileSecondsInTurn(int repeats, double quantile, params Action[] actions) =>
        InTurn(repeats, actions).Select(v => v.Quantile(quantile)).ToArray();

    private static double[][] InTurn(int repeats, params Action[] actions)
    {
        var t = new double[actions.Length][];
        for (int i = 0; i < actions.Length; i++) t[i] = new double[repeats];
        for (int r = 0; r < repeats; r++)
            for (int i = 0; i < actions.Length; i++)
                t[i][r] = Seconds(actions[i]);
        return t;
    }
}
