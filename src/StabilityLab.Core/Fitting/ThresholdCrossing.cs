namespace StabilityLab.Fitting;

/// <summary>
/// Where a criterion curve v(τ), sampled on a τ grid, first crosses a level from below:
/// linear interpolation in log τ of g(v) between the last grid point below the level and the next
/// one (monotone interpolation, as the forward ratio grows with τ). Null when the grid never crosses.
/// The transform g makes the curve nearly straight between grid points: log for the median log
/// ratio (≈ c·L·τ² for small τ, so log v is linear in log τ), probit for a fraction.
/// </summary>
public static class ThresholdCrossing
{
    /// <summary>g = log where both bracketing values are positive (else the identity).</summary>
    public static readonly Func<double, double> Log = Math.Log;

    /// <summary>g = Φ⁻¹, for a fraction of n trials (values clipped to [1/(2n), 1 − 1/(2n)]).</summary>
    public static Func<double, double> Probit(int n) =>
        p => MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, Math.Clamp(p, 0.5 / n, 1 - 0.5 / n));

    public static double? LogTau(IReadOnlyList<double> taus, IReadOnlyList<double> values, double level, Func<double, double>? transform = null)
    {
        var order = Enumerable.Range(0, taus.Count).OrderBy(i => taus[i]).ToArray();
        for (int k = 0; k + 1 < order.Length; k++)
        {
            int i = order[k], j = order[k + 1];
            double vi = values[i], vj = values[j];
            if (vi <= level && vj > level)
            {
                double li = Math.Log(taus[i]), lj = Math.Log(taus[j]);
                if (transform is not null && (transform != Log || (vi > 0 && level > 0)))
                {
                    double gi = transform(vi), gj = transform(vj), gl = transform(level);
                    if (double.IsFinite(gi) && double.IsFinite(gj) && gj > gi) return li + (gl - gi) / (gj - gi) * (lj - li);
                }
                return li + (level - vi) / (vj - vi) * (lj - li);
            }
        }
        return null;
    }
}
