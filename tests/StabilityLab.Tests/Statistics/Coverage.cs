using StabilityLab.Randomness;
using StabilityLab.Statistics;

namespace StabilityLab.Tests.Statistics;

/// <summary>
/// Replicated samples of log ratios with a known log E[r], and how often an interval method covers it.
/// Replication r draws from the counter-based stream (seed, key) in domain r, so every replication is
/// reproducible on its own.
/// </summary>
public static class Coverage
{
    public const ulong Seed = 0x5747_0012;

    /// <summary>A coverage count: replications, those with an interval (Ok), and those the Ok interval covered.</summary>
    public sealed record Tally(int Replications, int Reported, int Covered)
    {
        public int Flagged => Replications - Reported;

        /// <summary>Coverage among the reported intervals.</summary>
        public double Rate => Reported == 0 ? 1 : Covered / (double)Reported;

        /// <summary>4 binomial standard errors of a proportion at the nominal level, over the reported intervals.</summary>
        public double Tolerance(double level = 0.95) => 4 * Math.Sqrt(level * (1 - level) / Math.Max(Reported, 1));
    }

    /// <summary>n standard normals of replication r under a key.</summary>
    public static double[] Normals(ulong key, int replication, int n)
    {
        var z = new double[n];
        NormalGenerator.Fill(new RandomStream(Seed, key), (ulong)replication, z);
        return z;
    }

    /// <summary>Gaussian log ratios μ + σ z (truth μ + σ²/2).</summary>
    public static double[] Gaussian(double mu, double sigma, int replication, int n)
    {
        var z = Normals(BitConverter.DoubleToUInt64Bits(sigma), replication, n);
        for (int i = 0; i < n; i++) z[i] = mu + sigma * z[i];
        return z;
    }

    /// <summary>
    /// Counts over replications how often <paramref name="interval"/> (null = flagged) covers <paramref name="truth"/>.
    /// </summary>
    public static Tally Count(int replications, Func<int, double[]> sample, Func<double[], (double Lo, double Hi)?> interval, double truth)
    {
        int reported = 0, covered = 0;
        for (int r = 0; r < replications; r++)
        {
            var ci = interval(sample(r));
            if (ci is not { } c) continue;
            reported++;
            if (c.Lo <= truth && truth <= c.Hi) covered++;
        }
        return new Tally(replications, reported, covered);
    }

    /// <summary>The estimator's interval, or null when it flags the sample.</summary>
    public static (double Lo, double Hi)? Reported(double[] x)
    {
        var e = MeanRatio.Estimate(x);
        return e.Ok ? (e.Lo!.Value, e.Hi!.Value) : null;
    }
}
