using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// log‖h_L‖² (absolute: LogH0 + ForwardFinal) over trials of the exact sampler, with the mean, the
/// variance and their standard errors. Trial t always uses stream (seed, cell, t) and lands in
/// slot t, so the sample does not depend on the thread count.
/// </summary>
internal sealed record LogNormSample(double[] Values)
{
    public static LogNormSample Draw(NetworkSpec spec, int trials, ulong seed)
    {
        var values = new double[trials];
        uint cell = CellKey.Of(spec);
        int threads = Math.Min(Environment.ProcessorCount, trials);
        var workers = Enumerable.Range(0, threads).Select(w => new Thread(() =>
        {
            var sampler = new ExactSampler(spec);
            for (int t = w; t < trials; t += threads)
            {
                var m = sampler.Sample(RandomStream.For(seed, cell, (uint)t));
                if (m.Dead) throw new InvalidOperationException("a trial died; use a larger width");
                values[t] = m.LogH0 + m.ForwardFinal;
            }
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        return new LogNormSample(values);
    }

    public int Count => Values.Length;

    public double Mean => Values.Average();

    public double MeanSe => Math.Sqrt(Variance / Count);

    public double Variance
    {
        get
        {
            double mean = Mean;
            return Values.Sum(v => (v - mean) * (v - mean)) / (Count - 1);
        }
    }

    /// <summary>Standard error of the sample variance, √((μ₄ − σ⁴)/n).</summary>
    public double VarianceSe
    {
        get
        {
            double mean = Mean, v = Variance;
            double m4 = Values.Sum(x => Math.Pow(x - mean, 4)) / Count;
            return Math.Sqrt(Math.Max(m4 - v * v, 0) / Count);
        }
    }

    /// <summary>log of the mean of ‖h_L‖² (log-sum-exp) and the standard error of that log (delta method).</summary>
    public (double LogMean, double Se) LogMeanOfSquares()
    {
        double max = Values.Max();
        var e = Values.Select(v => Math.Exp(v - max)).ToArray();
        double mean = e.Average();
        double sd = Math.Sqrt(e.Sum(x => (x - mean) * (x - mean)) / (Count - 1));
        return (max + Math.Log(mean), sd / mean / Math.Sqrt(Count));
    }
}
