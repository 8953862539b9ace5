using MathNet.Numerics.Distributions;
using MathNet.Numerics.Integration;
using StabilityLab.Models;

namespace StabilityLab.Theory;

/// <summary>
/// res3 with tanh (docs/finite-width.md §12). Given h = h_{l−1} with ‖h‖² = x, the coordinates of W_l h are σ z_i
/// with σ² = 2x/m (docs/science.md §4), and V_l tanh(W_l h) = √(2/m)‖tanh(σz)‖ z′ with z′ fresh, so
/// R_l = (1 + cξ)² + c²χ²_{m−1} with c² = (2τ²/m) K/x, K = Σ_i tanh²(σ z_i): the factor's law depends on h only through
/// x (tanh is not homogeneous), and log x is a Markov chain. With u = log x, u_l = u_{l−1} + g(u_{l−1}) + ε_l,
/// g = E log R, Var ε = Var log R (<see cref="IndependentFactorChain.LogFactorMoments"/>, E c² = 2τ² k₁/x,
/// E c⁴ = 4τ⁴(m k₂ + m² k₁²)/(m² x²), k₁ = E tanh²(σξ), k₂ = Var tanh²(σξ)). To second order in the chain's
/// fluctuation δu: v_l = (1 + g′)² v_{l−1} + Var ε_l, E δu_l = (1 + g′) E δu_{l−1} + g″ v_{l−1}/2, and the covariance with
/// the start u_0 = log ‖tanh(Ax)‖² (mean m k₁(s), variance m k₂(s), s² = 2/m) decays by (1 + g′) per layer; then
/// F_L = u_L − u_0 has Var = v_L + v_0 − 2 Cov(δu_L, δu_0). The backward ratio is not predicted (NaN).
/// </summary>
internal static class Res3TanhNormChain
{
    public static bool Covers(BlockKind block, Activation activation) => block == BlockKind.Res3 && activation == Activation.Tanh;

    private static readonly GaussLegendreRule Rule = new(0, 10, 96);

    public static FiniteWidthPrediction Predict(NetworkSpec spec)
    {
        var tau = spec.TauSchedule();
        TauSchedules.Check(tau);
        int m = spec.Width, L = spec.Depth;
        // Start: x_0 = ‖tanh(√(2/m) z)‖².
        var (a1, a2) = TanhMoments(2.0 / m);
        double ex0 = m * a1, vx0 = m * a2;
        double u = Math.Log(ex0), v0 = vx0 / (ex0 * ex0), mean0 = -v0 / 2;
        double v = v0, shift = mean0, cov = v0;
        double uInf = u;
        var meanByLayer = new double[L + 1];
        var sdByLayer = new double[L + 1];
        for (int l = 1; l <= L; l++)
        {
            double t = tau[l - 1];
            var (g, ve) = Step(m, t, u);
            // g′, g″ by central differences in u (g is smooth in log x).
            const double h = 1e-3;
            double gp = Step(m, t, u + h).Mean, gm = Step(m, t, u - h).Mean;
            double d1 = (gp - gm) / (2 * h), d2 = (gp - 2 * g + gm) / (h * h);
            shift = (1 + d1) * shift + d2 * v / 2;
            cov = (1 + d1) * cov;
            v = (1 + d1) * (1 + d1) * v + ve;
            u += g;
            uInf += StepInfinite(m, t, uInf);
            double f = u + shift - (Math.Log(ex0) + mean0);
            meanByLayer[l] = f;
            sdByLayer[l] = Math.Sqrt(Math.Max(v + v0 - 2 * cov, 0));
        }
        double mean = meanByLayer[L], sd = sdByLayer[L], z95 = Normal.InvCDF(0, 1, 0.95), nan = double.NaN;
        bool inside = L <= FiniteWidthTheory.MaxDepthOverWidth * m;
        string reason = inside ? "inside" : $"L = {L} > {FiniteWidthTheory.MaxDepthOverWidth}m = {FiniteWidthTheory.MaxDepthOverWidth * m}";
        return new FiniteWidthPrediction(m, L, mean, sd, mean - z95 * sd, mean, mean + z95 * sd, mean + sd * sd / 2,
            nan, nan, nan, uInf - Math.Log(ex0), nan, meanByLayer, sdByLayer, Enumerable.Repeat(nan, L + 1).ToArray(),
            new FiniteWidthRegime(inside, inside, reason));
    }

    /// <summary>E log R and Var log R of one layer at ‖h‖² = e^u.</summary>
    private static (double Mean, double Var) Step(int m, double tau, double u)
    {
        double x = Math.Exp(u);
        var (k1, k2) = TanhMoments(2 * x / m);
        double t2 = tau * tau;
        double ec2 = 2 * t2 * k1 / x, ec4 = 4 * t2 * t2 * (m * k2 + (double)m * m * k1 * k1) / ((double)m * m * x * x);
        var (logEr, vlog) = IndependentFactorChain.LogFactorMoments(m, ec2, ec4);
        return (logEr - vlog / 2, vlog);
    }

    /// <summary>The m → ∞ step of log‖h‖² at fixed x/m: log E R with the fluctuations dropped.</summary>
    private static double StepInfinite(int m, double tau, double u)
    {
        double x = Math.Exp(u);
        var (k1, _) = TanhMoments(2 * x / m);
        return Math.Log(1 + 2 * tau * tau * k1 * m / x);
    }

    /// <summary>E tanh²(σξ) and Var tanh²(σξ) for ξ ~ N(0, 1), σ² = <paramref name="s2"/> (even integrand: 2∫_0^∞).</summary>
    internal static (double K1, double K2) TanhMoments(double s2)
    {
        double s = Math.Sqrt(s2), e1 = 0, e2 = 0;
        for (int i = 0; i < Rule.Order; i++)
        {
            double z = Rule.Abscissas[i], w = 2 * Rule.Weights[i] * StdNormal.Pdf(z);
            double t = Math.Tanh(s * z), t2 = t * t;
            e1 += w * t2;
            e2 += w * t2 * t2;
        }
        return (e1, e2 - e1 * e1);
    }
}
