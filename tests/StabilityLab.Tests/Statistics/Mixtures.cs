namespace StabilityLab.Tests.Statistics;

/// <summary>Non-Gaussian log ratios with a known log E[r], from the counter-based normals.</summary>
public static class Mixtures
{
    /// <summary>
    /// With probability w the log ratio is N(b, s²), else N(a, s²): log E[r] = log((1 − w)e^{a + s²/2} + w e^{b + s²/2}).
    /// The component is chosen by a second normal falling above its (1 − w) quantile.
    /// </summary>
    public static double[] TwoNormals(double a, double b, double s, double w, ulong key, int replication, int n)
    {
        var z = Coverage.Normals(key, replication, n);
        var pick = Coverage.Normals(key + 1, replication, n);
        double cut = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 1 - w);
        for (int i = 0; i < n; i++) z[i] = (pick[i] > cut ? b : a) + s * z[i];
        return z;
    }

    public static double TwoNormalsTruth(double a, double b, double s, double w) =>
        Math.Log((1 - w) * Math.Exp(a + s * s / 2) + w * Math.Exp(b + s * s / 2));

    /// <summary>The non-Gaussian cases of docs/statistics.md: (name, sample of replication r, true log E).</summary>
    public static IEnumerable<(string Name, Func<int, double[]> Sample, double Truth)> Cases(int n)
    {
        yield return ("0.9 N(0, 0.5²) + 0.1 N(2, 0.5²)", r => TwoNormals(0, 2, 0.5, 0.1, 0x4D49_5801, r, n), TwoNormalsTruth(0, 2, 0.5, 0.1));
        yield return ("0.95 N(0, 1) + 0.05 N(5, 1)", r => TwoNormals(0, 5, 1, 0.05, 0x4D49_5803, r, n), TwoNormalsTruth(0, 5, 1, 0.05));
    }
}
