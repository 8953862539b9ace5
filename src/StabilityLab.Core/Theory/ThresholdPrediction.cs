using MathNet.Numerics.RootFinding;

namespace StabilityLab.Theory;

/// <summary>
/// The sharp threshold of the post ReLU block under the median criterion (docs/finite-width.md §7): τ*(L; m, K) is
/// the constant τ at which the median of ‖h_L‖²/‖h_0‖² equals K², i.e. Σ_l log r_l(τ) − Σ_l ν_l(τ)/(2m) = 2 log K
/// (the log ratio is Gaussian to first order, so its median is its mean).
/// </summary>
public static class ThresholdPrediction
{
    /// <summary>
    /// τ*(L; m, K): the secant method on log(median) against log τ, where the median grows like τ² (so the secant line
    /// is nearly exact and 4–6 density evolutions reach relative accuracy 1e-10), started from the large-depth limit;
    /// Brent's method on a widening bracket if the secant leaves its range.
    /// </summary>
    public static double TauStar(int depth, int width, double k)
    {
        Check(depth, width, k);
        double target = 2 * Math.Log(k);
        var seen = new Dictionary<double, double>();
        double Median(double tau)
        {
            if (!seen.TryGetValue(tau, out double v)) seen[tau] = v = MedianLogRatio(depth, width, tau);
            return v;
        }
        double sq = Math.Sqrt(depth), a = LargeDepthLimit(width, k) / sq;
        // The median is ≈ 2τ²L(1 − 2/m) > 0 near the root; where it is not positive the log is undefined, so steer back up.
        double G(double u) => Median(Math.Exp(u)) is var v && v > 0 ? Math.Log(v / target) : -50;
        // First guess: the limit approached like 1/√L (§7: τ*·√L/limit − 1 ≈ 0.6/√L from L = 64 to 4096); then a step
        // with slope 2 of log median against log τ. Only the number of evaluations depends on these guesses.
        double u0 = Math.Log(a * (1 + 0.6 / sq)), g0 = G(u0), u1 = u0 - g0 / 2;
        if (Secant.TryFindRoot(G, u0, u1, u0 - 3, u0 + 3, 1e-10, 30, out double u)) return Math.Exp(u);
        // Fallback: bracket around the large-depth limit and widen geometrically (τ*·√L decreases to it from above, §7).
        double F(double tau) => Median(tau) - target;
        double lo = 0.95 * a, hi = 1.5 * a;
        while (F(lo) > 0) lo /= 1.5;
        while (F(hi) < 0) { lo = hi; hi *= 1.5; }
        return Brent.FindRoot(F, lo, hi, 1e-7 * a, 200);
    }

    /// <summary>
    /// The predicted median of log(‖h_L‖²/‖h_0‖²) at constant τ: Σ_l log r_l(τ) − Σ_l ν_l(τ)/(2m) (docs/finite-width.md §7).
    /// </summary>
    public static double MedianLogRatio(int depth, int width, double tau)
    {
        CheckNetwork(depth, width);
        if (!(tau > 0) || !double.IsFinite(tau)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "τ must be a finite number above 0");
        // Forward moments only: the laws are not kept (memory O(grid), not O(L·grid)).
        var layers = FiniteWidthLayers.Evolve(Enumerable.Repeat(tau, depth).ToArray(), keepLaws: false);
        return layers.LogR.Sum() - layers.Noise.Sum() / (2 * width);
    }

    /// <summary>
    /// lim_{L→∞} τ*(L)·√L = √(log K/(1 − 2/m)): with τ = α/√L, Σ_l log r_l → 2α² and Σ_l ν_l → 8α² (ν_l = 8τ_l² + O(τ_l³),
    /// and the zero coordinates' deficit in r_l sums to O(α²/√L)), so the median is 2α²(1 − 2/m) + O(1/√L).
    /// </summary>
    public static double LargeDepthLimit(int width, double k)
    {
        Check(1, width, k);
        return Math.Sqrt(Math.Log(k) / (1 - 2.0 / width));
    }

    private static void Check(int depth, int width, double k)
    {
        CheckNetwork(depth, width);
        if (!(k > 1) || !double.IsFinite(k)) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be a finite number above 1");
    }

    private static void CheckNetwork(int depth, int width)
    {
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "depth must be at least 1");
        if (width < 3) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 3");
    }
}
