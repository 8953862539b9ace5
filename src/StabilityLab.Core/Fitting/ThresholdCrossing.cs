namespace StabilityLab.Fitting;

/// <summary>
/// Where a criterion curve v(τ), sampled on a τ grid, first crosses a level from below:
/// linear interpolation in log τ between the last grid point below the level and the next one
/// (monotone interpolation, as the forward ratio grows with τ). Null when the grid never crosses.
/// </summary>
public static class ThresholdCrossing
{
    public static double? LogTau(IReadOnlyList<double> taus, IReadOnlyList<double> values, double level)
    {
        var order = Enumerable.Range(0, taus.Count).OrderBy(i => taus[i]).ToArray();
        for (int k = 0; k + 1 < order.Length; k++)
        {
            int i = order[k], j = order[k + 1];
            double vi = values[i], vj = values[j];
            if (vi <= level && vj > level)
            {
                double li = Math.Log(taus[i]), lj = Math.Log(taus[j]);
                return li + (level - vi) / (vj - vi) * (lj - li);
            }
        }
        return null;
    }
}
