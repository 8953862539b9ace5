using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Integration;
using StabilityLab.Models;

namespace StabilityLab.Theory;

/// <summary>
/// First order in 1/m for res1 with ReLU, h_l = h_{l−1} + τ_l W_l φ(h_{l−1}) (docs/finite-width.md §11).
/// In y = √m·h, y_l = y_{l−1} + a_l z_l with a_l = τ_l√(2P̂_{l−1}), P̂ = mean of φ(y)², z_l ~ N(0, I) fresh.
/// Freezing a_l at its infinite-width value ā_l makes the coordinates i.i.d. copies of Y_l = Y_0 + W_l
/// (Y_0 = (√2ζ)_+, W a Gaussian walk of variance S_l, <see cref="Res1GaussianSum"/>). The random a_l feed back:
/// to first order δP̂_l = δP⁰_l + π_l Σ_{k≤l} 2τ_k² δP̂_{k−1} (Stein's lemma on z_k, π_l = P(Y_l &gt; 0)) and
/// δQ̂_L = δQ⁰_L + Σ_k 2τ_k² δP̂_{k−1}, where δ⁰ are fluctuations of averages of i.i.d. coordinates. So
/// F_L − log(Q_L/Q_0) ≈ (1/m) Σ_i G(path of coordinate i) − E G, with
/// G = Y_L²/Q_L − Y_0² + Σ_{j&lt;L} λ_j φ(Y_j)², λ_j = 2τ_{j+1}² R_j, R_j = Q_L⁻¹ Π_{l=j+1}^{L−1}(1 + 2τ_{l+1}²π_l)
/// (the adjoint of the feedback), and Var F_L = Var(G)/m. Var G is a double sum of covariances over layer pairs,
/// each a one-dimensional integral (the walk is Markov and E[φ(Y_k)² | Y_j] is closed form): cost O(L²).
/// Mean: log(Q_L/Q_0) − V_fresh/2, V_fresh = Σ_l Var(log R_l | p_{l−1}) at the infinite-width p (the mean of each
/// layer's increment given its past; the O(1/m) shift from E[p̂_l − p_l] is left out).
/// The backward ratio is not predicted (NaN).
/// </summary>
internal static class Res1FiniteWidth
{
    /// <summary>Deepest network predicted: the O(L²) pair sums take ~2 s at L = 1024 on one core.</summary>
    public const int MaxDepth = 2048;

    /// <summary>Gauss–Legendre nodes on [0, 10] per part of Y_j's law; the covariances converge to ~1e-10.</summary>
    private const int Nodes = 48;

    public static bool Covers(BlockKind block, Activation activation) => block == BlockKind.Res1 && activation == Activation.Relu;

    public static FiniteWidthPrediction Predict(NetworkSpec spec)
    {
        int m = spec.Width, L = spec.Depth;
        if (L > MaxDepth) throw new SpecException($"the res1 finite-width theory costs O(L²): depth {L} is above its limit {MaxDepth}");
        var tau = spec.TauSchedule();
        var curve = Res1GaussianSum.Evolve(tau);
        var byLayer = new double[L + 1];
        var sdByLayer = new double[L + 1];
        double v = VarianceTimesWidth(tau, curve) / m;
        double logQ = curve.LogQ[L] - curve.LogQ[0];
        // Mean: each layer's conditional E log R_l at the infinite-width p_{l−1} = P_{l−1}/Q_{l−1}, i.e. the fresh
        // noise's variance only (c² = 2τ²p/m given h_{l−1}); the O(1/m) shift from E[p̂ − p] is left out.
        double fresh = 0;
        for (int l = 1; l <= L; l++)
        {
            double c2 = 2 * tau[l - 1] * tau[l - 1] * curve.PositivePart[l - 1] / m;
            fresh += IndependentFactorChain.LogFactorMoments(m, c2, c2 * c2).LogVariance;
        }
        double mean = logQ - fresh / 2, sd = Math.Sqrt(v), z95 = Normal.InvCDF(0, 1, 0.95);
        // Per-layer finite-width moments would cost O(L³): only l = 0 and l = L are given, NaN between.
        for (int l = 1; l < L; l++) byLayer[l] = sdByLayer[l] = double.NaN;
        byLayer[L] = mean;
        sdByLayer[L] = sd;
        double nan = double.NaN;
        double sumT2 = tau.Sum(t => t * t);
        var reasons = new List<string>();
        if (sumT2 > MaxSumTauSquared) reasons.Add(FormattableString.Invariant($"Σ τ² = {sumT2:G3} > {MaxSumTauSquared} (res1)"));
        if (L > FiniteWidthTheory.MaxDepthOverWidth * m) reasons.Add($"L = {L} > {FiniteWidthTheory.MaxDepthOverWidth}m = {FiniteWidthTheory.MaxDepthOverWidth * m}");
        bool inside = reasons.Count == 0;
        string reason = inside ? "inside" : string.Join("; ", reasons);
        return new FiniteWidthPrediction(m, L, mean, sd, mean - z95 * sd, mean, mean + z95 * sd, mean + v / 2,
            nan, nan, nan, logQ, nan, byLayer, sdByLayer, Enumerable.Repeat(nan, L + 1).ToArray(),
            new FiniteWidthRegime(inside, inside, reason));
    }

    /// <summary>Largest Σ_l τ_l² validated against the exact sampler (docs/finite-width.md §11).</summary>
    public const double MaxSumTauSquared = 4;

    /// <summary>m·Var(F_L) = Var(G) (see the type's summary).</summary>
    internal static double VarianceTimesWidth(IReadOnlyList<double> tau, InfiniteWidthCurve curve)
    {
        int L = tau.Count;
        double log2 = Math.Log(2);
        // S_l, log(2 + S_l), p_l = P_l/Q_l, π_l, log P_l.
        var logS = new double[L + 1];
        var logQ = curve.LogQ;
        for (int l = 0; l <= L; l++) logS[l] = l == 0 ? double.NegativeInfinity : logQ[l] + Math.Log(-SpecialFunctions.Expm1(-logQ[l])); // S = Q − 1, Q up to e^709+
        var p = curve.PositivePart;
        var pi = new double[L + 1];
        for (int l = 1; l <= L; l++) pi[l] = 0.5 + Math.Atan2(1, Math.Sqrt(Math.Exp(logS[l]) / 2)) / (2 * Math.PI);
        // Coefficients c_j of f_j = φ(Y_j)²/P_j (j < L) and of f_L = Y_L²/Q_L; f_0 = Y_0² (P_0 = Q_0 = 1).
        var c = new double[L + 1];
        double logR = -logQ[L];
        for (int j = L - 1; j >= 0; j--)
        {
            double logP = Math.Log(p[j]) + logQ[j];
            double t2 = tau[j] * tau[j];
            c[j] = t2 > 0 ? 2 * t2 * Math.Exp(logR + logP) : 0;
            if (j >= 1) logR += StdNormal.Log1p(2 * tau[j] * tau[j] * pi[j]);
        }
        // recursion check: R_{j−1} = R_j(1 + 2τ_{j+1}²π_j) → applied above with tau[j] = τ_{j+1} at step j ≥ 1.
        c[0] -= 1;
        c[L] = 1;

        var rule = new GaussLegendreRule(0, 10, Nodes);
        var x = rule.Abscissas;
        var w = rule.Weights;
        double var = 0;
        var nodeY = new (double V, double Weight, double F)[2 * Nodes]; // per node: y/√Δ-scale helper, weight × f_j, f_j
        var tot = new double[2 * Nodes];
        for (int j = 0; j < L; j++)
        {
            if (c[j] == 0 && j > 0) continue;
            // Y_j = Y_0 + √S_j ξ on {Y_j > 0}: part A (Y_0 = 0, prob ½): y = √S_j x; part B (Y_0 = √2ζ, ζ > 0):
            // density ϕ(y/ω)Φ(αy/ω)/ω, y = ωx, ω² = 2 + S_j, α = √(2/S_j). Units: y/√Q_j.
            double logTwoPlusS = StdNormal.LogAddExp(log2, logS[j]);
            double scaleA2 = Math.Exp(logS[j] - logQ[j]), scaleB2 = Math.Exp(logTwoPlusS - logQ[j]);
            double alpha = Math.Exp(0.5 * (log2 - logS[j]));
            double ef = 0, ef2 = 0;
            for (int i = 0; i < Nodes; i++)
            {
                double phi = StdNormal.Pdf(x[i]);
                double fa = scaleA2 * x[i] * x[i] / p[j], fb = scaleB2 * x[i] * x[i] / p[j];
                double wa = 0.5 * w[i] * phi, wb = w[i] * phi * (double.IsPositiveInfinity(alpha) ? 1 : StdNormal.Cdf(alpha * x[i]));
                nodeY[i] = (x[i], wa * fa, fa);
                nodeY[Nodes + i] = (x[i], wb * fb, fb);
                ef += wa * fa + wb * fb;
                ef2 += wa * fa * fa + wb * fb * fb;
            }
            Array.Clear(tot);
            double sumC = 0;
            // E[f_k | Y_j = y] = g2(y, Δ)/P_k, Δ = S_k − S_j, g2/Δ = (v²+1)Φ(v) + vϕ(v), v = y/√Δ.
            for (int k = j + 1; k < L; k++)
            {
                if (c[k] == 0) continue;
                double logD = logS[k] + Math.Log(-SpecialFunctions.Expm1(logS[j] - logS[k]));
                double va = Math.Exp(0.5 * (logS[j] - logD)), vb = Math.Exp(0.5 * (logTwoPlusS - logD));
                double ps = Res1GaussianSum.PositivePartOverS(logS[k]); // P_k/S_k
                double scale = c[k] * Math.Exp(logD - logS[k]) / ps;
                for (int i = 0; i < 2 * Nodes; i++)
                {
                    double vv = nodeY[i].V * (i < Nodes ? va : vb);
                    tot[i] += scale * ((vv * vv + 1) * StdNormal.Cdf(vv) + vv * StdNormal.Pdf(vv));
                }
                sumC += c[k];
            }
            {
                // E[Y_L² | Y_j = y]/Q_L = (y² + S_L − S_j)/Q_L.
                double logD = logS[L] + Math.Log(-SpecialFunctions.Expm1(logS[j] - logS[L]));
                double shift = Math.Exp(logD - logQ[L]);
                double ya = Math.Exp(logS[j] - logQ[L]), yb = Math.Exp(logTwoPlusS - logQ[L]);
                for (int i = 0; i < 2 * Nodes; i++)
                {
                    double xx = nodeY[i].V;
                    tot[i] += xx * xx * (i < Nodes ? ya : yb) + shift;
                }
                sumC += 1;
            }
            double cross = 0;
            for (int i = 0; i < 2 * Nodes; i++) cross += nodeY[i].Weight * tot[i];
            cross -= ef * sumC;
            var += c[j] * c[j] * (ef2 - ef * ef) + 2 * c[j] * cross;
        }
        // Var(Y_L²)/Q_L² = (5 + 4S + 2S²)/(1 + S)².
        double sL = logS[L], qL = logQ[L];
        var += 5 * Math.Exp(-2 * qL) + 4 * Math.Exp(sL - 2 * qL) + 2 * Math.Exp(2 * (sL - qL));
        return var;
    }
}
