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
/// F_L = u_L − u_0 has Var = v_L + v_0 − 2 Cov(δu_L, δu_0).
/// Backward: the isotropic part of g crosses layer l with R′_l = ‖ĝ + τW_lᵀD_lV_lᵀĝ‖², whose law depends on h_{l−1} only
/// through u_{l−1} too (<see cref="BackwardStep"/>), so B = Σ_l log R′_l is a sum along the same chain: its mean to second
/// order in δu, its variance from the fresh ε′_l, the chain's δu_{l−1} (weight gb′_l) and Cov(ε_l, ε′_l) through the shared
/// z_l. The part of g_L along ĥ_L is mixed over ‖ζ‖² ~ χ²_d (<see cref="FiniteWidthTheory.MixOverOutput"/>); for d = 1
/// it moves the mean by O(m⁻²) only.
/// </summary>
internal static class Res3TanhNormChain
{
    public static bool Covers(BlockKind block, Activation activation) => block == BlockKind.Res3 && activation == Activation.Tanh;

    private static readonly GaussLegendreRule Rule = new(0, 10, 96);

    /// <summary>The rule's nodes z_i and the weights 2·W_i·ϕ(z_i) of an even Gaussian integrand, formed once: every layer
    /// evaluates about ten such integrals (and MathNet's rule hands out a copy of its arrays on each access).</summary>
    private static readonly double[] Nodes = Rule.Abscissas;

    private static readonly double[] GaussWeights = Rule.Abscissas.Select((z, i) => 2 * Rule.Weights[i] * StdNormal.Pdf(z)).ToArray();

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
        // Per layer, for the backward ratio (docs/finite-width.md §12): 1 + g′, Var ε, and the isotropic backward factor's
        // E log R′ (with its first and second order in δu), Var ε′, Cov(ε, ε′); the coherent part's factors.
        var slope = new double[L + 1];
        var vFwd = new double[L + 1];
        var bwd = new double[L + 1];
        var bwdSlope = new double[L + 1];
        var vBwd = new double[L + 1];
        var cFwdBwd = new double[L + 1];
        var isoFactor = new double[L + 1];
        var along = new double[L + 1];
        var spawn = new double[L + 1];
        var bwdInf = new double[L + 1]; // m → ∞ at fixed ‖h‖²/m: log(1 + 4τ²k₁′) per layer
        for (int l = 1; l <= L; l++)
        {
            double t = tau[l - 1];
            var (g, ve) = Step(m, t, u);
            // g′, g″ by central differences in u (g is smooth in log x).
            const double h = 1e-3;
            double gp = Step(m, t, u + h).Mean, gm = Step(m, t, u - h).Mean;
            double d1 = (gp - gm) / (2 * h), d2 = (gp - 2 * g + gm) / (h * h);
            var b = BackwardStep(m, t, u);
            double bp = BackwardStep(m, t, u + h).Mean, bm = BackwardStep(m, t, u - h).Mean;
            double b1 = (bp - bm) / (2 * h), b2 = (bp - 2 * b.Mean + bm) / (h * h);
            // E log R′_l = E gb(u_{l−1}) to second order in δu_{l−1} (before this layer's update of shift and v).
            bwd[l] = b.Mean + b1 * shift + b2 * v / 2;
            (slope[l], vFwd[l], bwdSlope[l], vBwd[l], cFwdBwd[l]) = (1 + d1, ve, b1, b.Var, b.Cov);
            (isoFactor[l], along[l], spawn[l]) = (b.IsoFactor, b.Along, b.Spawn);
            shift = (1 + d1) * shift + d2 * v / 2;
            cov = (1 + d1) * cov;
            v = (1 + d1) * (1 + d1) * v + ve;
            u += g;
            bwdInf[l] = StdNormal.Log1p(4 * t * t * BackwardMoments(2 * Math.Exp(uInf) / m).Sech4);
            uInf += StepInfinite(m, t, uInf);
            double f = u + shift - (Math.Log(ex0) + mean0);
            meanByLayer[l] = f;
            sdByLayer[l] = Math.Sqrt(Math.Max(v + v0 - 2 * cov, 0));
        }
        double mean = meanByLayer[L], sd = sdByLayer[L], z95 = Normal.InvCDF(0, 1, 0.95), nan = double.NaN;

        // Isotropic part: B = Σ_l log R′_l, log R′_l = gb(u_{l−1}) + ε′_l. Its fluctuation Σ ε′_l + Σ_l gb′_l δu_{l−1}, with
        // δu_{l−1} = Σ_{j<l} Π_{j<i<l}(1 + g′_i) ε_j + Π(1 + g′) δu_0: ε_j enters with weight a_j, a_{j−1} = gb′_j + (1 + g′_j) a_j,
        // a_L = 0; ε′_j is correlated with ε_j only (both read the layer's z).
        // Cov(F_L, I) (docs/finite-width.md §12): δF = δu_L − δu_0 = Σ_j Φ_j ε_j + (Φ_0 − 1) δu_0, Φ_j = Π_{j<i≤L}(1 + g′_i),
        // against the same weights a_j and Cov(ε_j, ε′_j).
        double logI = 0, vI = 0, a = 0, vOwn = 0, cIF = 0, phi = 1;
        var bwdInfByLayer = new double[L + 1];
        for (int l = L; l >= 1; l--)
        {
            logI += bwd[l];
            bwdInfByLayer[l - 1] = bwdInfByLayer[l] + bwdInf[l];
            vI += vBwd[l] + a * a * vFwd[l] + 2 * a * cFwdBwd[l];
            vOwn += vBwd[l];
            cIF += phi * (a * vFwd[l] + cFwdBwd[l]);
            phi *= slope[l];
            a = bwdSlope[l] + slope[l] * a;
        }
        vI += a * a * v0;
        cIF += (phi - 1) * a * v0;
        // Coherent part (g_L along ĥ_L): its component along ĥ_l and what it spawns orthogonally (then carried like the
        // isotropic part), mean field at the chain's path.
        double along0 = 1, orth = 0;
        for (int l = L; l >= 1; l--)
        {
            orth = orth * isoFactor[l] + along0 * spawn[l];
            along0 *= along[l];
        }
        double logC = Math.Log(along0 + orth) - vI / 2;
        // I is the growth of a generic direction: the isotropic part P⊥z̃ weighs m − e^{C−I} (docs/finite-width.md §12). The
        // coherent part is carried by the same factors (variance taken as vI) but its own backward noise ε′ is independent:
        // the two share the chain's part vI − Σ Var ε′. Its covariance with F is taken as the isotropic part's: its factors read
        // the same z_l (whose Cov(ε_l, ε′_l) is through K and K′), only the fresh backward directions differ.
        double iso = m - Math.Exp(logC - logI);
        bool mixed = iso > 0;
        var (bMean, bVar, bCov) = mixed
            ? FiniteWidthTheory.MixOverOutput(spec.OutputDim, Math.Log(iso), m, logI, vI, logC, vI, vI - vOwn, cIF, cIF) : (nan, nan, nan);
        bool inside = L <= FiniteWidthTheory.MaxDepthOverWidth * m;
        var reasons = new List<string>();
        if (!inside) reasons.Add($"L = {L} > {FiniteWidthTheory.MaxDepthOverWidth}m = {FiniteWidthTheory.MaxDepthOverWidth * m}");
        // The backward chain's linearization (gb′, gb″ around the path) is validated for τ ≤ 1 and Σ τ² ≤ 4m
        // (docs/finite-width.md §12); at m = 8, τ = 2 it fails outright.
        double sumT2 = tau.Sum(t => t * t), maxTau = tau.Max();
        if (maxTau > MaxTauBackward) reasons.Add(FormattableString.Invariant($"backward: τ = {maxTau:G3} > {MaxTauBackward}"));
        if (sumT2 > MaxSumTauSquaredOverWidthBackward * m)
            reasons.Add(FormattableString.Invariant($"backward: Σ τ² = {sumT2:G3} > 4m = {MaxSumTauSquaredOverWidthBackward * m:G3}"));
        bool bwdInside = reasons.Count == 0;
        string reason = bwdInside ? "inside" : string.Join("; ", reasons);
        return new FiniteWidthPrediction(m, L, mean, sd, mean - z95 * sd, mean, mean + z95 * sd, mean + sd * sd / 2,
            bMean, Math.Sqrt(bVar), bCov, uInf - Math.Log(ex0), bwdInfByLayer[0], meanByLayer, sdByLayer, bwdInfByLayer,
            new FiniteWidthRegime(inside, bwdInside, reason));
    }

    /// <summary>Largest τ_l where the backward ratio was validated (docs/finite-width.md §12).</summary>
    public const double MaxTauBackward = 1;

    /// <summary>Largest Σ_l τ_l²/m where the backward ratio was validated (docs/finite-width.md §12).</summary>
    public const double MaxSumTauSquaredOverWidthBackward = 4;

    /// <summary>
    /// One layer's backward factors at ‖h‖² = e^u (docs/finite-width.md §12), for ĝ of a generic direction:
    /// R′ = ‖ĝ + τWᵀD Vᵀĝ‖² = (1 + c′ξ′)² + c′²χ²_{m−1} + O(1/m) with c′² = τ²(2/m)‖w‖², ‖w‖² ≈ (2/m)Σ_i sech⁴(σz_i)ζ_i²
    /// (E = 2k₁′, k₁′ = E sech⁴(σξ)); the conditioning of W on W h adds ĥ(zᵀw) and removes ĥ(ĥᵀz̃), which moves E R′ by
    /// (4τ²/m)(k₃ − k₁′), k₃ = E ξ² sech⁴(σξ) (zero for ReLU). Cov(log R, log R′) through the shared z:
    /// 8τ⁴(E tanh²sech⁴ − k₁k₁′)/(x E R E R′). Coherent part ĥ_l: its component along ĥ_{l−1} scales by
    /// (1 + 4τ²k₅)/√E R (k₅ = E[σξ tanh sech²]/σ², from ⟨V a, V(φ′(u)u)⟩ ≈ 2aᵀ(φ′(u)u)), its squared norm by
    /// 1 + 4τ²k₁′ + 8τ²k₅/E R + 16τ⁴k₆/(σ² E R) (k₆ = E tanh²sech⁴); the difference is spawned orthogonally.
    /// </summary>
    private static (double Mean, double Var, double Cov, double IsoFactor, double Along, double Spawn) BackwardStep(int m, double tau, double u)
    {
        double x = Math.Exp(u), s2 = 2 * x / m, t2 = tau * tau, md = m;
        var (k1, _) = TanhMoments(s2);
        var k = BackwardMoments(s2);
        double ec2 = 4 * t2 * k.Sech4 / md;
        double ec4 = 16 * t2 * t2 * (md * (3 * k.Sech8 - k.Sech4 * k.Sech4) + md * md * k.Sech4 * k.Sech4) / (md * md * md * md);
        var (logEr, vlog) = IndependentFactorChain.LogFactorMoments(m, ec2, ec4);
        double er = 1 + md * ec2;
        double shift = 4 * t2 * (k.XSqSech4 - k.Sech4) / md / er;
        double erFwd = 1 + 2 * t2 * k1 * md / x;
        double cov = 8 * t2 * t2 * (k.TanhSqSech4 - k1 * k.Sech4) / (x * erFwd * er);
        double alongRoot = (1 + 4 * t2 * k.Slope) / Math.Sqrt(erFwd);
        double total = 1 + 4 * t2 * k.Sech4 + 8 * t2 * k.Slope / erFwd + 16 * t2 * t2 * k.TanhSqSech4 / (s2 * erFwd);
        return (logEr + shift - vlog / 2, vlog, cov, er, alongRoot * alongRoot, total - alongRoot * alongRoot);
    }

    /// <summary>Gaussian moments of sech(σξ) and tanh(σξ) the backward factor needs: E sech⁴, E sech⁸, E ξ²sech⁴, E[ξ tanh sech²]/σ, E tanh²sech⁴.</summary>
    internal readonly record struct TanhBackwardMoments(double Sech4, double Sech8, double XSqSech4, double Slope, double TanhSqSech4);

    internal static TanhBackwardMoments BackwardMoments(double s2)
    {
        double s = Math.Sqrt(s2), e4 = 0, e8 = 0, ex = 0, es = 0, et = 0;
        for (int i = 0; i < Nodes.Length; i++)
        {
            double z = Nodes[i], w = GaussWeights[i];
            double th = Math.Tanh(s * z), c2 = 1 - th * th, c4 = c2 * c2;
            e4 += w * c4;
            e8 += w * c4 * c4;
            ex += w * z * z * c4;
            es += w * z * th * c2;
            et += w * th * th * c4;
        }
        return new TanhBackwardMoments(e4, e8, ex, es / s, et);
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
        for (int i = 0; i < Nodes.Length; i++)
        {
            double z = Nodes[i], w = GaussWeights[i];
            double t = Math.Tanh(s * z), t2 = t * t;
            e1 += w * t2;
            e2 += w * t2 * t2;
        }
        return (e1, e2 - e1 * e1);
    }
}
