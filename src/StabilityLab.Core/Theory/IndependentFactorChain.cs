using MathNet.Numerics.Distributions;
using StabilityLab.Models;

namespace StabilityLab.Theory;

/// <summary>
/// Blocks whose per-layer norm ratio does not depend on the hidden vector (docs/finite-width.md §10): res3 with ReLU or
/// identity, and every block with the identity. Given h_{l−1}, the branch is c_l‖h_{l−1}‖ z' with z' ~ N(0, I) fresh
/// and c_l a scalar independent of h_{l−1}, so R_l = ‖h_l‖²/‖h_{l−1}‖² = (1 + c ξ)² + c² χ²_{m−1} exactly, independent
/// across layers and of h_0:
/// post/res1 identity: c² = 2τ²/m; res3: c² = τ²(4/m²)K, K = ‖φ(z)‖² (χ²_m for identity; Σ_i (z_i)_+² for ReLU).
/// F_L = Σ log R_l, so its mean and variance are sums; each layer's by the delta method on E R = 1 + m E c²,
/// Var R = 4E c² + E c⁴(m² + 2m) − m²(E c²)² (error O(m^−2) per layer).
/// With the identity and d = 1 the backward ratio has the forward ratio's law: g_L ∝ b̂, a direction independent of
/// every weight, and Jᵀ = Π(I + τW_lᵀ) (or I + τW_lᵀV_lᵀ) is a product of the same law in reverse order.
/// Cov(F_L, B_L) (d = 1): that of F_L with the log growth of an independent tangent direction along the same path
/// (<see cref="Covariance"/>).
/// </summary>
internal static class IndependentFactorChain
{
    public static bool Covers(BlockKind block, Activation activation) =>
        activation == Activation.Identity || (block == BlockKind.Res3 && activation == Activation.Relu);

    public static FiniteWidthPrediction Predict(NetworkSpec spec)
    {
        var tau = spec.TauSchedule();
        TauSchedules.Check(tau);
        int m = spec.Width, L = spec.Depth;
        var inf = new double[L + 1];
        var mean = new double[L + 1];
        var var = new double[L + 1];
        var shared = new double[L]; // c_l: the log factors' covariance for orthogonal directions (Cov(F, B), §10)
        var own = new double[L]; // d_l = v_l − c_l
        var sBefore = new double[L]; // s_{l−1} = Σ_{k<l} d_k, the alignment time before layer l
        for (int l = 1; l <= L; l++)
        {
            var (ec2, ec4) = BranchScaleMoments(spec.Block, spec.Activation, m, tau[l - 1]);
            var (logEr, vlog) = LogFactorMoments(m, ec2, ec4);
            inf[l] = inf[l - 1] + logEr;
            mean[l] = mean[l - 1] + logEr - vlog / 2;
            var[l] = var[l - 1] + vlog;
            double er = 1 + m * ec2;
            shared[l - 1] = OrthogonalCovariance(spec.Block, spec.Activation, m, tau[l - 1]) / (er * er);
            own[l - 1] = vlog - shared[l - 1];
            if (l < L) sBefore[l] = sBefore[l - 1] + own[l - 1];
        }
        double sd = Math.Sqrt(var[L]), z95 = Normal.InvCDF(0, 1, 0.95);
        // Backward: predicted only where its law is the forward one (d = 1; exact for the identity, first order for
        // res3/ReLU, docs/finite-width.md §10).
        bool bwd = spec.OutputDim == 1;
        double nan = double.NaN;
        double cov = bwd ? Covariance(shared, own, sBefore, m) : nan;
        return new FiniteWidthPrediction(m, L, mean[L], sd, mean[L] - z95 * sd, mean[L], mean[L] + z95 * sd, mean[L] + var[L] / 2,
            bwd ? mean[L] : nan, bwd ? sd : nan, cov, inf[L], bwd ? inf[L] : nan,
            mean, var.Select(Math.Sqrt).ToArray(), bwd ? inf.Select(v => inf[L] - v).ToArray() : Enumerable.Repeat(nan, L + 1).ToArray(),
            RegimeOf(spec));
    }

    /// <summary>
    /// Cov(F_L, B_L) = Σ_l [c_l + d_l E ω²_{l−1}] (docs/finite-width.md §10): Cov(F, B) = Cov(F, T) exactly, T the log growth
    /// of an independent tangent direction along the same path; per layer the two log factors covary by c_l + (v_l − c_l)ω²
    /// given their cosine ω, whose square follows <see cref="TangentAlignment"/> from E ω_0² = 1/m.
    /// </summary>
    internal static double Covariance(double[] shared, double[] own, double[] sBefore, int m)
    {
        var p = TangentAlignment.MeanSquaredCosine(sBefore, 1.0 / m);
        double cov = 0;
        for (int l = 0; l < shared.Length; l++) cov += shared[l] + own[l] * p[l];
        return cov;
    }

    /// <summary>
    /// C₀ = Cov(R, R_t) for two orthogonal unit directions through one layer (R the factor of one, R_t of the other;
    /// docs/finite-width.md §10). post/res1 with the identity: 0 (W ĥ and W t̂ are independent). res3: the factors share
    /// V and the units' activity: C₀ = g²[2m·E(aᵀb)² + m²Cov(K, K_t)], g = 4τ²/m², a = φ(z), b = φ′(z)∘z₂ (z, z₂ independent
    /// N(0, I)), E(aᵀb)² = m E[φ²φ′²], Cov(K, K_t) = m Cov(φ(z)², φ′(z)²): ReLU 1/2 and 1/4 (the number of active units),
    /// identity 1 and 0. ReLU: C₀ = 4τ⁴/m + 16τ⁴/m².
    /// </summary>
    internal static double OrthogonalCovariance(BlockKind block, Activation act, int m, double tau)
    {
        if (block != BlockKind.Res3) return 0;
        double t2 = tau * tau, g = 4 * t2 / ((double)m * m);
        var (e2, cv) = act == Activation.Identity ? (1.0, 0.0) : (0.5, 0.25);
        return g * g * (2.0 * m * m * e2 + (double)m * m * m * cv);
    }

    /// <summary>
    /// log E R and Var(log R) ≈ Var R/(E R)² for R = (1 + cξ)² + c²χ²_{m−1} with c independent of ξ and of the χ²:
    /// E R = 1 + m E c², Var R = 4E c² + E c⁴(m² + 2m) − m²(E c²)² (ξ² + χ²_{m−1} = χ²_m, E[ξχ²_m] = 0).
    /// </summary>
    internal static (double LogMean, double LogVariance) LogFactorMoments(int m, double ec2, double ec4)
    {
        double er = 1 + m * ec2;
        double vr = 4 * ec2 + ec4 * ((double)m * m + 2.0 * m) - (double)m * m * ec2 * ec2;
        return (Math.Log(er), vr / (er * er));
    }

    /// <summary>E c², E c⁴ of the branch scale c (R = ‖ĥ + c z'‖²) for one layer.</summary>
    internal static (double Ec2, double Ec4) BranchScaleMoments(BlockKind block, Activation act, int m, double tau)
    {
        double t2 = tau * tau;
        if (block != BlockKind.Res3) return (2 * t2 / m, 4 * t2 * t2 / ((double)m * m));
        // K = Σ_i φ(z_i)²: per coordinate E φ(z)² = μ, Var φ(z)² = v (identity 1, 2; ReLU 1/2, 3/2 − 1/4 = 5/4).
        var (mu, v) = act == Activation.Identity ? (1.0, 2.0) : (0.5, 1.25);
        double g = 4 * t2 / ((double)m * m);
        double ek = m * mu, ek2 = m * v + ek * ek;
        return (g * ek, g * g * ek2);
    }

    /// <summary>
    /// Each layer's moments are exact up to the delta method's O(m^−2); the sum's error is O(L/m²), validated at
    /// L ≤ 4m (docs/finite-width.md §10). Beyond L = 16m (the post block's limit) the cell is called outside.
    /// </summary>
    private static FiniteWidthRegime RegimeOf(NetworkSpec spec)
    {
        bool inside = spec.Depth <= FiniteWidthTheory.MaxDepthOverWidth * spec.Width;
        string reason = inside ? "inside" : $"L = {spec.Depth} > {FiniteWidthTheory.MaxDepthOverWidth}m = {FiniteWidthTheory.MaxDepthOverWidth * spec.Width}";
        // A statistic that is not predicted (NaN) does not make the cell outside.
        return new FiniteWidthRegime(inside, inside, reason);
    }
}
