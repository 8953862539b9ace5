namespace StabilityLab.Tests.Theory;

/// <summary>
/// The sample covariance of paired draws and its standard error from the data's own fourth moment:
/// Var(ĉ) ≈ (μ₂₂ − c²)/n with μ₂₂ = E[(X − EX)²(Y − EY)²] (no Gaussian assumption; the log ratios' tails are not Gaussian
/// where the coherent part of g is mixed in over χ²_d).
/// </summary>
internal sealed record SampleCovariance(double Value, double Se, int Count)
{
    public static SampleCovariance Of(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        if (y.Count != n || n < 3) throw new ArgumentException("paired samples of at least 3 draws are needed");
        double mx = x.Average(), my = y.Average(), c = 0, m22 = 0;
        for (int i = 0; i < n; i++)
        {
            double p = (x[i] - mx) * (y[i] - my);
            c += p;
            m22 += p * p;
        }
        double cov = c / (n - 1), mean = c / n;
        return new SampleCovariance(cov, Math.Sqrt(Math.Max(m22 / n - mean * mean, 0) / n), n);
    }

    /// <summary>(measured − predicted)/SE.</summary>
    public double Z(double predicted) => (Value - predicted) / Se;
}
