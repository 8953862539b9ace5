using StabilityLab.Statistics;

namespace StabilityLab.Fitting;

/// <summary>
/// τ* from blow-up fractions alone (cells.csv without raw.csv): the τ where the fraction of trials with
/// ‖h_L‖/‖h_0‖ > K crosses 1/2, i.e. the median criterion of docs/science.md §4 read off the fractions.
/// The point is the probit interpolation between the grid points that bracket 1/2 (<see cref="ThresholdCrossing"/>).
/// The 95% interval is a grid bracket: from the largest τ whose fraction is significantly below 1/2 to the smallest τ
/// whose fraction is significantly above it (Clopper–Pearson at 95% two-sided, so each end errs with probability
/// ≤ 2.5% when the true fraction is monotone in τ): coverage ≥ 95% whatever the shape of the curve.
/// The probit delta-method interval it replaced had no such guarantee: where the fraction jumps from 0 to 1 between two
/// grid points it shrank to a sliver around the interpolated point (docs/statistics.md "Coverage of every interval").
/// Null when the fractions never cross 1/2 or no τ on one side is significantly away from it (the grid does not bound τ*).
/// </summary>
public static class BlowupFractionThreshold
{
    /// <param name="taus">the τ grid at one depth (any order)</param>
    /// <param name="blowups">trials that blew up at each τ</param>
    /// <param name="live">live trials at each τ (dead ones excluded from the fraction)</param>
    public static (double TauStar, double Lo, double Hi, double LogTauSe)? Estimate(IReadOnlyList<double> taus, IReadOnlyList<int> blowups, IReadOnlyList<int> live)
    {
        int g = taus.Count;
        if (blowups.Count != g || live.Count != g) throw new ArgumentException("τ grid, blow-up counts and live counts differ in length");
        var order = Enumerable.Range(0, g).Where(i => live[i] > 0).OrderBy(i => taus[i]).ToArray();
        var t = order.Select(i => taus[i]).ToArray();
        var p = order.Select(i => blowups[i] / (double)live[i]).ToArray();
        int n = order.Length == 0 ? 0 : order.Min(i => live[i]);
        if (n == 0) return null;
        double? point = ThresholdCrossing.LogTau(t, p, 0.5, ThresholdCrossing.Probit(n));
        if (point is null) return null;

        double tauStar = Math.Exp(point.Value);
        var cp = order.Select(i => BinomialInterval.ClopperPearson(blowups[i], live[i])).ToArray();
        int below = Enumerable.Range(0, t.Length).LastOrDefault(i => cp[i].Hi < 0.5 && t[i] <= tauStar, -1);
        int above = Enumerable.Range(0, t.Length).FirstOrDefault(i => cp[i].Lo > 0.5 && t[i] >= tauStar, -1);
        if (below < 0 || above < 0) return null;
        double lo = Math.Log(t[below]), hi = Math.Log(t[above]);
        return (tauStar, t[below], t[above], (hi - lo) / (2 * 1.959963984540054));
    }
}
