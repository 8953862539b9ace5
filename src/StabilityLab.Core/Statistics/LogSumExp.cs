namespace StabilityLab.Statistics;

/// <summary>Log-domain means: log((1/n) Σ exp(x_i)) without overflow.</summary>
public static class LogSumExp
{
    public static double LogMeanExp(ReadOnlySpan<double> x)
    {
        if (x.IsEmpty) throw new ArgumentException("no values");
        double max = double.NegativeInfinity;
        foreach (var v in x) max = Math.Max(max, v);
        double s = 0;
        foreach (var v in x) s += Math.Exp(v - max);
        return max + Math.Log(s / x.Length);
    }
}
