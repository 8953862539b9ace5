using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Integration;
using StabilityLab.Models;

namespace StabilityLab.Theory;

/// <summary>
/// Order 1/m for res1 with ReLU (variance and mean), h_l = h_{l−1} + τ_l W_l φ(h_{l−1}) (docs/finite-width.md §11).
/// In y = √m·h, y_l = y_{l−1} + a_l z_l with a_l = τ_l√(2P̂_{l−1}), P̂ = mean of φ(y)², z_l ~ N(0, I) fresh.
/// Freezing a_l at its infinite-width value ā_l makes the coordinates i.i.d. copies of Y_l = Y_0 + W_l
/// (Y_0 = (√2ζ)_+, W a Gaussian walk of variance S_l, <see cref="Res1GaussianSum"/>). The random a_l feed back:
/// to first order δP̂_l = δP⁰_l + π_l Σ_{k≤l} 2τ_k² δP̂_{k−1} (Stein's lemma on z_k, π_l = P(Y_l &gt; 0)) and
/// δQ̂_L = δQ⁰_L + Σ_k 2τ_k² δP̂_{k−1}, where δ⁰ are fluctuations of averages of i.i.d. coordinates. So
/// F_L − log(Q_L/Q_0) ≈ (1/m) Σ_i G(path of coordinate i) − E G, with
/// G = Y_L²/Q_L − Y_0² + Σ_{j&lt;L} λ_j φ(Y_j)², λ_j = 2τ_{j+1}² R_j, R_j = Q_L⁻¹ Π_{l=j+1}^{L−1}(1 + 2τ_{l+1}²π_l)
/// (the adjoint of the feedback), and Var F_L = Var(G)/m. Var G is a double sum of covariances over layer pairs, each
/// in closed form (the path is a Brownian motion seen at the times S_l: orthant moments of two or three of its values,
/// <see cref="Res1PairMoments"/>), summed in one pass over the pairs with O(L) memory (<see cref="Res1PairSums"/>): cost
/// O(L²) at ≈ 50–130 ns of CPU a pair. The reference pairs, each a one-dimensional integral (the walk is Markov and
/// E[φ(Y_k)² | Y_j] is closed form), stay for the tests (<see cref="Covariances"/>).
/// Mean: second order in the law's fluctuation, E F = log Q_L + E[Q̂_L − Q_L]/Q_L − Var(Q̂_L)/(2Q_L²) + Var(Q̂_0)/2, with
/// E Q̂_L − Q_L = E[Ŝ_L − S_L] from E P̂_l − P_l = P′(S_l) E[Ŝ_l − S_l] + P″(S_l) Var(Ŝ_l)/2 + (own-coordinate term)/m
/// (given the a_k, a coordinate is exactly Y_0 + √Ŝ ξ when the a_k do not depend on it: a cavity argument).
/// The backward ratio: <see cref="Res1Backward"/> (reusing the path covariances).
/// </summary>
internal static class Res1FiniteWidth
{
    /// <summary>
    /// Deepest network predicted: the O(L²) closed-form pair sums (docs/finite-width.md §11) take ≈ 1 s CPU at L = 4096 and
    /// ≈ 8 s at L = 16384 on this 2-core machine (`theory`, m = 256, τ = 1/√L), about what the quadrature took at L = 2048.
    /// </summary>
    public const int MaxDepth = 16384;

    /// <summary>Deepest network the reference quadrature pairs (tests only) take: ~1.6 s CPU at L = 1024 and ~9 s at L = 2048, O(L²) memory.</summary>
    public const int MaxQuadratureDepth = 2048;

    /// <summary>Gauss–Legendre nodes on [0, 10] per part of Y_j's law: 96 nodes change the mean and sd by &lt; 2e-12 (L = 16…1024).</summary>
    private const int Nodes = 48;

    public static bool Covers(BlockKind block, Activation activation) => block == BlockKind.Res1 && activation == Activation.Relu;

    /// <param name="spec">the cell</param>
    /// <param name="quadraturePairs">tests only: the pair sums from the reference 96-node quadrature (<see cref="Res1PairSums.Quadrature"/>,
    /// O(L²) memory, refused above <see cref="MaxQuadratureDepth"/>) instead of the closed form</param>
    public static FiniteWidthPrediction Predict(NetworkSpec spec, bool quadraturePairs = false)
    {
        int m = spec.Width, L = spec.Depth;
        int limit = quadraturePairs ? MaxQuadratureDepth : MaxDepth;
        if (L > limit) throw new SpecException($"the res1 finite-width theory costs O(L²): depth {L} is above its limit {limit}");
        var tau = spec.TauSchedule();
        var curve = Res1GaussianSum.Evolve(tau);
        var byLayer = new double[L + 1];
        var sdByLayer = new double[L + 1];
        var (logS, pi) = LogSAndPi(curve);
        var weights = WeightsOf(tau, curve, logS, pi);
        var sums = quadraturePairs ? Res1PairSums.Quadrature(tau, curve, logS, pi, weights) : Res1PairSums.ClosedForm(curve, logS, pi, weights);
        var moments = Moments(tau, curve, m, logS, pi, sums);
        var (vm, mean2) = (moments.VarTimesWidth, moments.Mean);
        double v = vm / m;
        double logQ = curve.LogQ[L] - curve.LogQ[0];
        // Mean: second order (Moments). Where Q_L > e^150 (far outside the regime) its raw-unit sums would overflow and
        // the first-order form is used: each layer's E log R_l at the infinite-width p_{l−1} (fresh noise only).
        double fresh = 0;
        for (int l = 1; l <= L; l++)
        {
            double c2 = 2 * tau[l - 1] * tau[l - 1] * curve.PositivePart[l - 1] / m;
            fresh += IndependentFactorChain.LogFactorMoments(m, c2, c2 * c2).LogVariance;
        }
        double mean = double.IsNaN(mean2) ? logQ - fresh / 2 : mean2, sd = Math.Sqrt(v), z95 = Normal.InvCDF(0, 1, 0.95);
        // Per-layer finite-width moments would cost O(L³): only l = 0 and l = L are given, NaN between.
        for (int l = 1; l < L; l++) byLayer[l] = sdByLayer[l] = double.NaN;
        byLayer[L] = mean;
        sdByLayer[L] = sd;
        double nan = double.NaN;
        double sumT2 = tau.Sum(t => t * t);
        var reasons = new List<string>();
        if (sumT2 > MaxSumTauSquaredOverWidth * m)
            reasons.Add(FormattableString.Invariant($"Σ τ² = {sumT2:G3} > m/4 = {MaxSumTauSquaredOverWidth * m:G3} (res1)"));
        if (L > FiniteWidthTheory.MaxDepthOverWidth * m) reasons.Add($"L = {L} > {FiniteWidthTheory.MaxDepthOverWidth}m = {FiniteWidthTheory.MaxDepthOverWidth * m}");
        if (double.IsNaN(mean2)) reasons.Add(FormattableString.Invariant($"log Q_L = {logQ:G4} > {MaxLogQForMean}: first-order mean only"));
        bool inside = reasons.Count == 0;
        // The backward ratio is validated on a smaller range (docs/finite-width.md §11).
        double bwdLimit = Math.Min(MaxSumTauSquaredBackward, MaxSumTauSquaredOverWidthBackward * m);
        bool bwdInside = inside && sumT2 <= bwdLimit;
        if (inside && !bwdInside)
            reasons.Add(FormattableString.Invariant($"backward: Σ τ² = {sumT2:G3} > min(10, m/8) = {bwdLimit:G3}"));
        string reason = reasons.Count == 0 ? "inside" : string.Join("; ", reasons);
        // Backward (Res1Backward): not predicted where the forward mean is first order only (Q_L > e^150).
        (double, double, double, double[])? bwd = weights.Backward is { } bw && moments.MeanT is { } meanT
            ? Res1Backward.Predict(tau, curve, pi, logS, bw, sums, meanT, m, spec.OutputDim, mean, v) : null;
        var (bMean, bVar, bCov, bInf) = bwd ?? (nan, nan, nan, Enumerable.Repeat(nan, L + 1).ToArray());
        return new FiniteWidthPrediction(m, L, mean, sd, mean - z95 * sd, mean, mean + z95 * sd, mean + v / 2,
            bMean, Math.Sqrt(bVar), bCov, logQ, bInf[0], byLayer, sdByLayer, bInf,
            new FiniteWidthRegime(inside, bwdInside, reason));
    }

    /// <summary>
    /// Largest Σ_l τ_l²/m validated against the exact sampler (docs/finite-width.md §11): the neglected terms are of
    /// relative order Σ τ²/m; at 1/4 (Σ τ² = 16, m = 64) the sd is within 2% and the mean within 2 SE, at 1 the sd is
    /// 5–11% low.
    /// </summary>
    public const double MaxSumTauSquaredOverWidth = 0.25;

    /// <summary>
    /// The backward ratio is validated where Σ_l τ_l² ≤ min(this, m·<see cref="MaxSumTauSquaredOverWidthBackward"/>)
    /// (docs/finite-width.md §11): beyond it the cross term between the isotropic and the coherent part of g (left out)
    /// makes the sd 5–11% low (Σ τ² = 16 at m ≤ 512; Σ τ² = m/4 at m = 16, 32).
    /// </summary>
    public const double MaxSumTauSquaredBackward = 10;

    /// <summary>See <see cref="MaxSumTauSquaredBackward"/>.</summary>
    public const double MaxSumTauSquaredOverWidthBackward = 1.0 / 8;

    /// <summary>
    /// Covariances of one coordinate's path functionals under the infinite-width law (per coordinate; divide by m for
    /// averages): C[j][k−j] = Cov(f_j, f_k) for j ≤ k &lt; L with f_j = φ(Y_j)²/P_j; CL[j] = Cov(f_j, Y_L²/Q_L);
    /// D[k][j] = Cov(1[Y_k &gt; 0], f_j) for j &lt; k &lt; L; for the backward ratio (<see cref="Res1Backward"/>)
    /// II[j][k−j] = Cov(1[Y_j &gt; 0], 1[Y_k &gt; 0]) and IF[j][k−j] = Cov(1[Y_j &gt; 0], f_k) for j ≤ k &lt; L, and Pi[j] = P(Y_j &gt; 0)
    /// on the same nodes, IL[j] = Cov(1[Y_j &gt; 0], Y_L²/Q_L). Each is a one-dimensional integral over Y_j (see the type's summary):
    /// the reference of the closed form (<see cref="Res1PairMoments"/>; tests and <see cref="Res1PairSums.Quadrature"/>).
    /// </summary>
    internal sealed record PathCovariances(double[][] C, double[] CL, double[][] D, double VarFL, double[][] II, double[][] IF, double[] Pi, double[] IL);

    /// <summary>From this depth the O(L²) pair integrals run their rows on every core (below it the threads cost more than they save).</summary>
    private const int ParallelFromDepth = 128;

    /// <summary>Beyond Q_L = e^this the second-order mean's raw-unit sums (Var T_l ∝ S²) would overflow.</summary>
    public const double MaxLogQForMean = 150;

    internal static PathCovariances Covariances(IReadOnlyList<double> tau, InfiniteWidthCurve curve, double[] logS, double[] pi)
    {
        int L = tau.Count;
        double log2 = Math.Log(2);
        var logQ = curve.LogQ;
        var p = curve.PositivePart;
        var rule = new GaussLegendreRule(0, 10, Nodes);
        var x = rule.Abscissas;
        var w = rule.Weights;
        var C = new double[L][];
        var D = new double[L][];
        var CL = new double[L];
        var II = new double[L][];
        var IF = new double[L][];
        var piNodes = new double[L];
        var IL = new double[L];
        for (int k = 0; k < L; k++) D[k] = new double[k];
        // Each row j is independent of the others (it writes C[j], II[j], IF[j], CL[j], IL[j], piNodes[j] and column j
        // of D): the rows run in parallel, every number computed exactly as in the serial loop (same bits).
        Parallel.For(0, L, new ParallelOptions { MaxDegreeOfParallelism = L >= ParallelFromDepth ? -1 : 1 }, j =>
        {
            var nodeX = new double[2 * Nodes];
            var nodeW = new double[2 * Nodes]; // quadrature weight × f_j at the node
            var nodeF = new double[2 * Nodes];
            var nodeI = new double[2 * Nodes]; // quadrature weight × 1[Y_j > 0]
            C[j] = new double[L - j];
            II[j] = new double[L - j];
            IF[j] = new double[L - j];
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
                nodeX[i] = nodeX[Nodes + i] = x[i];
                nodeW[i] = wa * fa;
                nodeW[Nodes + i] = wb * fb;
                nodeF[i] = fa;
                nodeF[Nodes + i] = fb;
                // Y_0 = 0 on part A: the atom is not > 0.
                nodeI[i] = double.IsNegativeInfinity(logS[j]) ? 0 : wa;
                nodeI[Nodes + i] = wb;
                ef += wa * fa + wb * fb;
                ef2 += wa * fa * fa + wb * fb * fb;
            }
            C[j][0] = ef2 - ef * ef;
            double pj = 0;
            for (int i = 0; i < 2 * Nodes; i++) pj += nodeI[i];
            piNodes[j] = pj;
            II[j][0] = pj * (1 - pj);
            IF[j][0] = ef - pj * ef; // E[f_j 1[Y_j > 0]] = E f_j
            // E[f_k | Y_j = y] = g2(y, Δ)/P_k, Δ = S_k − S_j, g2/Δ = (v²+1)Φ(v) + vϕ(v), v = y/√Δ; P(Y_k > 0 | y) = Φ(v).
            for (int k = j + 1; k < L; k++)
            {
                double logD = logS[k] + Math.Log(-StdNormal.Expm1(logS[j] - logS[k]));
                double va = Math.Exp(0.5 * (logS[j] - logD)), vb = Math.Exp(0.5 * (logTwoPlusS - logD));
                double scale = Math.Exp(logD - logS[k]) / Res1GaussianSum.PositivePartOverS(logS[k]); // Δ/P_k
                double sf = 0, sp = 0, sf1 = 0, sp1 = 0;
                for (int i = 0; i < 2 * Nodes; i++)
                {
                    double vv = nodeX[i] * (i < Nodes ? va : vb);
                    double cdf = StdNormal.Cdf(vv);
                    double g2 = (vv * vv + 1) * cdf + vv * StdNormal.Pdf(vv);
                    sf += nodeW[i] * g2;
                    sp += nodeW[i] * cdf;
                    sf1 += nodeI[i] * g2;
                    sp1 += nodeI[i] * cdf;
                }
                C[j][k - j] = scale * sf - ef;
                D[k][j] = sp - ef * pi[k];
                IF[j][k - j] = scale * sf1 - pj;
                II[j][k - j] = sp1 - pj * pi[k];
            }
            {
                // E[Y_L² | Y_j = y]/Q_L = (y² + S_L − S_j)/Q_L.
                double logD = logS[L] + Math.Log(-StdNormal.Expm1(logS[j] - logS[L]));
                double shift = Math.Exp(logD - logQ[L]);
                double ya = Math.Exp(logS[j] - logQ[L]), yb = Math.Exp(logTwoPlusS - logQ[L]);
                double sf = 0, sf1 = 0;
                for (int i = 0; i < 2 * Nodes; i++)
                {
                    double e = nodeX[i] * nodeX[i] * (i < Nodes ? ya : yb) + shift;
                    sf += nodeW[i] * e;
                    sf1 += nodeI[i] * e;
                }
                CL[j] = sf - ef;
                IL[j] = sf1 - pj;
            }
        });
        // Var(Y_L²)/Q_L² = (5 + 4S + 2S²)/(1 + S)².
        return new PathCovariances(C, CL, D, VarianceOfLast(logS[L], logQ[L]), II, IF, piNodes, IL);
    }

    /// <summary>Var(Y_L²)/Q_L² = (5 + 4S + 2S²)/(1 + S)² (S = S_L).</summary>
    internal static double VarianceOfLast(double logSL, double logQL) =>
        5 * Math.Exp(-2 * logQL) + 4 * Math.Exp(logSL - 2 * logQL) + 2 * Math.Exp(2 * (logSL - logQL));

    /// <summary>
    /// m·Var(F_L) = Var(G) and the second-order mean E F_L (see the type's summary), with E T_l = E[Ŝ_l − S_l]
    /// (l = 0..L−1; null where the mean is first order only), which the backward ratio reuses.
    /// </summary>
    internal sealed record Res1Moments(double VarTimesWidth, double Mean, double[]? MeanT);

    /// <summary>log S_l (S = Q − 1, Q up to e^709+) and π_l = P(Y_l &gt; 0) = 1/2 + arctan(√(2/S_l))/(2π), l = 0..L.</summary>
    internal static (double[] LogS, double[] Pi) LogSAndPi(InfiniteWidthCurve curve)
    {
        var logQ = curve.LogQ;
        int L = logQ.Length - 1;
        var logS = new double[L + 1];
        for (int l = 0; l <= L; l++) logS[l] = l == 0 ? double.NegativeInfinity : logQ[l] + Math.Log(-StdNormal.Expm1(-logQ[l]));
        var pi = new double[L + 1];
        pi[0] = 0.5;
        for (int l = 1; l <= L; l++) pi[l] = 0.5 + Math.Atan2(1, Math.Sqrt(Math.Exp(logS[l]) / 2)) / (2 * Math.PI);
        return (logS, pi);
    }

    /// <summary>
    /// The weights of the pair sums (<see cref="Res1PairSums"/>); none depends on the path covariances.
    /// Variance: coefficients c_j of f_j (j &lt; L; λ_j P_j = 2τ_{j+1}² R_j P_j) and 1 of Y_L²/Q_L; f_0 = Y_0² also carries
    /// −1 (G; Rho0 = c_0 without it). Mean (where log Q_L ≤ <see cref="MaxLogQForMean"/>): w_j = 2τ_{j+1}²/Γ_{j+1} and the raw
    /// P_j, T_l = Γ_l Σ_{j&lt;l} w_j δ⁰P_j. Backward: <see cref="Res1Backward.WeightsOf"/>.
    /// </summary>
    internal static Res1Weights WeightsOf(IReadOnlyList<double> tau, InfiniteWidthCurve curve, double[] logS, double[] pi)
    {
        int L = tau.Count;
        var logQ = curve.LogQ;
        var p = curve.PositivePart;
        var c = new double[L];
        double logR = -logQ[L];
        for (int j = L - 1; j >= 0; j--)
        {
            c[j] = 2 * tau[j] * tau[j] * Math.Exp(logR + Math.Log(p[j]) + logQ[j]);
            if (j >= 1) logR += StdNormal.Log1p(2 * tau[j] * tau[j] * pi[j]); // R_{j−1} = R_j(1 + 2τ_{j+1}²π_j)
        }
        double rho0 = c[0];
        c[0] -= 1;
        // Raw units (overflow beyond Q ≈ e^150): there the first-order mean is used.
        if (logQ[L] > MaxLogQForMean) return new Res1Weights(tau, c, rho0, null, null, null);
        var P = new double[L];
        for (int j = 0; j < L; j++) P[j] = p[j] * Math.Exp(logQ[j]);
        var wj = new double[L];
        double gamma = 1;
        for (int l = 1; l < L; l++)
        {
            gamma *= 1 + 2 * tau[l - 1] * tau[l - 1] * (l == 1 ? 0 : pi[l - 1]);
            wj[l - 1] = 2 * tau[l - 1] * tau[l - 1] / gamma;
        }
        return new Res1Weights(tau, c, rho0, wj, P, Res1Backward.WeightsOf(tau, curve, pi, logS));
    }

    internal static Res1Moments Moments(IReadOnlyList<double> tau, InfiniteWidthCurve curve, int m, double[] logS, double[] pi, Res1PairSums sums)
    {
        int L = tau.Count;
        var logQ = curve.LogQ;
        if (sums.VarTIncrement is not { } inc || sums.Self is not { } selfSum) return new Res1Moments(sums.VarG, double.NaN, null);
        // Mean, absolute form: E F = log Q_L + E[Q̂_L − Q_L]/Q_L − Var(Q̂_L)/(2Q_L²) + Var(Q̂_0)/2, Var(Q̂_0) = 5/m.
        // E Q̂_L − Q_L = E T_L with T_l = Ŝ_l − S_l = Σ_{k≤l} 2τ_k² (P̂_{k−1} − P_{k−1}); per layer
        // b_l = E P̂_l − P_l = P′(S_l) E T_l + P″(S_l) Var(T_l)/2 + self_l/m (P′ = π, P″ = −√2/(4π√S(S+2))),
        // T_l = Γ_l Σ_{j<l} w_j δ⁰P_j (Γ_l = Π_{k≤l}(1 + 2τ_k²π_{k−1}), w_j = 2τ_{j+1}²/Γ_{j+1}) and
        // self_l = Γ_l Σ_{j<l} w_j P_j Cov(1[Y_l > 0], f_j) (a coordinate's own share of the a_k, Stein on z_k).
        var meanT = new double[L];
        double gamma = 1, et = 0, bPrev = 0, acc = 0; // acc = Σ_{j,j'<l} w_j w_j' P_j P_j' C_jj'
        for (int l = 1; l <= L; l++)
        {
            // T_l from T_{l−1}: E T_l = E T_{l−1} + 2τ_l² b_{l−1}; Γ_l.
            et += 2 * tau[l - 1] * tau[l - 1] * bPrev;
            gamma *= 1 + 2 * tau[l - 1] * tau[l - 1] * (l == 1 ? 0 : pi[l - 1]);
            if (l == L) break;
            meanT[l] = et;
            acc += inc[l];
            double varT = gamma * gamma * acc / m;
            double self = selfSum[l] * gamma;
            double s = Math.Exp(logS[l]);
            double p2 = -Math.Sqrt(2) / (4 * Math.PI * Math.Sqrt(s) * (s + 2));
            bPrev = pi[l] * et + p2 * varT / 2 + self / m;
        }
        double mean = logQ[L] - logQ[0] + et / Math.Exp(logQ[L]) - sums.VarGL / (2 * m) + 5.0 / (2 * m);
        return new Res1Moments(sums.VarG, mean, meanT);
    }
}

/// <summary>
/// The weights of <see cref="Res1PairSums"/> (<see cref="Res1FiniteWidth.WeightsOf"/>): τ, G's coefficients on f_j (c_0
/// with G's −Y_0²; 1 on Y_L²/Q_L), c_0 without it; the mean's w_j and raw P_j and the backward ratio's weights (null
/// where the mean is first order only).
/// </summary>
internal sealed record Res1Weights(IReadOnlyList<double> Tau, double[] G, double Rho0, double[]? Wj, double[]? P, Res1Backward.Weights? Backward);
