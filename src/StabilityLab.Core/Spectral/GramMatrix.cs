using StabilityLab.Randomness;
using MathNet.Numerics.LinearAlgebra;

namespace StabilityLab.Spectral;

/// <summary>
/// An n × n Gram-type matrix (the Gram matrix of h_L, or the NTK) kept in the log domain:
/// M = exp(LogScale) · Normalized, with Normalized's mean diagonal equal to 1, so τ = 1 at any depth stays finite.
/// Normalized is row-major and symmetric.
/// </summary>
public sealed record GramMatrix(int Count, double LogScale, double[] Normalized)
{
    /// <summary>Entry (i, j) of the normalized matrix (mean diagonal 1).</summary>
    public double this[int i, int j] => Normalized[i * Count + j];

    /// <summary>log M_ij for a positive entry (the absolute value, not normalized); −∞ for M_ij ≤ 0.</summary>
    public double LogEntry(int i, int j) => this[i, j] > 0 ? LogScale + Math.Log(this[i, j]) : double.NegativeInfinity;

    /// <summary>Builds the record from a symmetric matrix given by its log scale and values (row-major), renormalizing.</summary>
    public static GramMatrix FromScaled(int n, double logScale, ReadOnlySpan<double> values)
    {
        if (values.Length != n * n) throw new ArgumentException($"an {n} × {n} matrix needs {n * n} values (got {values.Length})");
        double mean = 0;
        for (int i = 0; i < n; i++) mean += values[i * n + i];
        mean /= n;
        var norm = new double[n * n];
        if (!(mean > 0) || !double.IsFinite(mean)) return new GramMatrix(n, double.NegativeInfinity, norm);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                norm[i * n + j] = 0.5 * (values[i * n + j] + values[j * n + i]) / mean; // exact symmetry
        return new GramMatrix(n, logScale + Math.Log(mean), norm);
    }

    /// <summary>Eigenvalues of the normalized matrix, ascending.</summary>
    public double[] NormalizedEigenvalues()
    {
        var m = Matrix<double>.Build.Dense(Count, Count, (i, j) => this[i, j]);
        var ev = m.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
        Array.Sort(ev);
        return ev;
    }

    /// <summary>Least and largest eigenvalue in the log domain, and the conditioning.</summary>
    public GramSummary Summarize()
    {
        if (!double.IsFinite(LogScale)) return GramSummary.DeadNetwork(Count);
        var ev = NormalizedEigenvalues();
        double min = ev[0], max = ev[^1];
        return new GramSummary(
            Count,
            Positive: min > 0,
            LogMinEig: min > 0 ? LogScale + Math.Log(min) : null,
            LogMaxEig: max > 0 ? LogScale + Math.Log(max) : null,
            LogMeanDiag: LogScale,
            RelMinEig: min,
            Dead: false);
    }
}

/// <summary>
/// The spectrum summary of one <see cref="GramMatrix"/> M: LogMinEig = log λ_min(M) (null unless λ_min &gt; 0),
/// LogMaxEig = log λ_max(M), LogMeanDiag = log(tr M / n) (for the Gram matrix the mean of log-free ‖h_{i,L}‖²),
/// RelMinEig = λ_min(M)/(tr M/n), scale-free (it can be ≤ 0 only by rounding or for dependent inputs).
/// Dead: the network died (a layer became exactly zero); every value is then undefined.
/// </summary>
public sealed record GramSummary(int Count, bool Positive, double? LogMinEig, double? LogMaxEig, double LogMeanDiag, double RelMinEig, bool Dead)
{
    /// <summary>log of λ_min/(tr/n), when positive.</summary>
    public double? LogRelMinEig => RelMinEig > 0 ? Math.Log(RelMinEig) : null;

    public static GramSummary DeadNetwork(int n) => new(n, false, null, null, 0.0, 0.0, true);
}
