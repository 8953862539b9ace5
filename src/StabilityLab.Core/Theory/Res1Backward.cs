namespace StabilityLab.Theory;

/// <summary>
/// The backward ratio of res1 with ReLU to first order in 1/m (docs/finite-width.md §11). g_{l−1} = g_l + τ_l D_l W_lᵀ g_l,
/// D_l = diag(1[h_{l−1} &gt; 0]); given W_l a = √(2/m)‖a‖z (a = φ(h_{l−1})), W_lᵀg = √(2/m)[‖g‖P⊥_a z̃ + â(zᵀg)].
/// g_L = isotropic part P⊥z̃ (weight m − 1) + coherent part ‖ζ‖ĥ_L (weight u = ‖ζ‖² ~ χ²_d), mixed as for post
/// (<see cref="FiniteWidthTheory.MixOverOutput"/>).
/// Isotropic part: ⟨g, h⟩ is conserved (J_l h_{l−1} = h_l), so it stays orthogonal to h_l at every layer; its factor is
/// R′_l = 1 + 2τ²π̂_{l−1} − 4τ²p(1 + τ²)/(m R_l) + fresh noise, π̂ the fraction of positive coordinates of h_{l−1}
/// (the noise τ√(2/m)‖g‖D z̃ is spread evenly, so no coordinate weighting enters the mean), R_l = 1 + 2τ²p_{l−1}. The noise
/// has variance (8τ²w_l + 8τ⁴π)/m, w_l the share of ‖g_l‖² on coordinates positive at l − 1 (the gradient a coordinate
/// gathered over layers k &gt; l is correlated with its sign: pair probabilities of one coordinate's walk). π̂ fluctuates
/// by its i.i.d. part and by the law's feedback δπ̂_j = δ⁰π_j + P″(S_j)δT_j (as P̂ in <see cref="Res1FiniteWidth"/>,
/// P″ = dπ/dS), so Σ_l log(1 + 2τ_l²π̂_{l−1}) fluctuates as a mean over coordinates of
/// H = Σ_j β_{j+1}1[Y_j &gt; 0] + Σ_i κ_i f_i (β_l = 2τ_l²/(1 + 2τ_l²π_{l−1})), Var = Var(H)/m from the path covariances;
/// its mean moves by β_l P″(S_{l−1}) E T_{l−1}.
/// Coherent part: along ĥ_l it scales by R_l exactly (it carries ⟨g, h⟩: log of it is the forward ratio); each layer it
/// spawns 2τ²π + 2τ²p(1 + 2τ²(1 − p))/R orthogonally, which is then carried like the isotropic part (mean field).
/// </summary>
internal static class Res1Backward
{
    /// <summary>
    /// What the backward ratio needs before the pair sums (<see cref="Res1PairSums"/>): the isotropic factors iso_l =
    /// 1 + 2τ_l²π_{l−1}, R_l = 1 + 2τ_l²p_{l−1}, β_l = 2τ_l²/iso_l, log N_l = Σ_{k&gt;l} log iso_k, κ (<see cref="Kappa"/>); the
    /// coherent part's mean field (A along ĥ, O spawned), H_O's weights β^O_k = β_k W_k, κ^O, W_k = Σ_{l&gt;k} ω_l (the share of
    /// O_0 that crossed layer k) and μ_n = Σ U_k^n ν_k/Σ ν_k (U_k = 1 − W_k − ω_k).
    /// </summary>
    internal sealed record Weights(double[] Iso, double[] R, double[] Beta, double[] LogN, double[] Kappa, double[] BetaO, double[] KappaO,
        double[] Crossed, double A, double O, double Mu1, double Mu2);

    public static Weights WeightsOf(IReadOnlyList<double> tau, InfiniteWidthCurve curve, double[] pi, double[] logS)
    {
        int L = tau.Count;
        var p = curve.PositivePart;
        var iso = new double[L + 1];
        var r = new double[L + 1];
        var beta = new double[L + 1];
        var logN = new double[L + 1]; // log N_l = Σ_{k>l} log iso_k: the isotropic ‖g_l‖² per unit of ‖g_L‖²
        for (int l = 1; l <= L; l++)
        {
            double t2 = tau[l - 1] * tau[l - 1];
            iso[l] = 1 + 2 * t2 * pi[l - 1];
            r[l] = 1 + 2 * t2 * p[l - 1];
            beta[l] = 2 * t2 / iso[l];
        }
        for (int l = L - 1; l >= 0; l--) logN[l] = logN[l + 1] + Math.Log(iso[l + 1]);
        var kappa = Kappa(beta, tau, curve, pi, logS);

        // Coherent part: along ĥ (A_l = the forward ratio from l to L) and what it spawned (O), mean field; o_l, the
        // spawn of layer l carried down to layer 0, has weight ω_l in O_0.
        double a = 1, o = 0;
        var contrib = new double[L + 1];
        for (int l = L; l >= 1; l--)
        {
            double t2 = tau[l - 1] * tau[l - 1];
            double spawn = a * (2 * t2 * pi[l - 1] + 2 * t2 * p[l - 1] * (1 + 2 * t2 * (1 - p[l - 1])) / r[l]);
            o = o * iso[l] + spawn;
            contrib[l] = spawn * Math.Exp(logN[0] - logN[l - 1]);
            a *= r[l];
        }
        // δ log O_0 = Σ_l ω_l [δ(F_L − F_l) + δ(isotropic growth below l)]. Forward part Σ_k U_k δf_k, U_k = Σ_{l<k} ω_l,
        // with the increments δf_k taken independent with variances ∝ ν_k = Var(log R_k | p_{k−1}): Var = μ₂V, Cov with
        // F = μ₁V, μ_n = Σ U_k^n ν_k/Σ ν_k. Isotropic part: H with β_k weighted by W_k = Σ_{l>k} ω_l (the share of O_0
        // that crossed layer k), plus its own fresh noise Σ_k W_k² (fresh)_k (in Predict).
        double nuSum = 0, mu1 = 0, mu2 = 0;
        var betaO = new double[L + 1];
        var crossed = new double[L + 1];
        double w = 0;
        for (int k = L; k >= 1; k--)
        {
            double omega = contrib[k] / o;
            betaO[k] = beta[k] * w;
            crossed[k] = w;
            w += omega;
            double u = 1 - w; // Σ_{l<k} ω_l
            double c2 = 2 * tau[k - 1] * tau[k - 1] * p[k - 1];
            double nu = (4 * c2 + 2 * c2 * c2) / ((1 + c2) * (1 + c2));
            nuSum += nu;
            mu1 += u * nu;
            mu2 += u * u * nu;
        }
        mu1 /= nuSum;
        mu2 /= nuSum;
        return new Weights(iso, r, beta, logN, kappa, betaO, Kappa(betaO, tau, curve, pi, logS), crossed, a, o, mu1, mu2);
    }

    /// <summary>
    /// E B_L, Var B_L, Cov(F_L, B_L) and the per-layer m → ∞ isotropic values.
    /// The covariance (docs/finite-width.md §11): δI = mean over coordinates of H and δF that of G (same paths), so
    /// Cov(F, I) = Cov(H, G)/m; δC = aShare·δF + oShare·δ log O gives Cov(F, C) = aShare·V + oShare·(μ₁V + Cov(H_O, G)/m).
    /// </summary>
    public static (double Mean, double Var, double Cov, double[] InfiniteByLayer) Predict(IReadOnlyList<double> tau, InfiniteWidthCurve curve,
        double[] pi, double[] logS, Weights bw, Res1PairSums sums, double[] meanT, int m, int outputDim, double fwdMean, double fwdVar)
    {
        int L = tau.Count;
        var p = curve.PositivePart;
        var (iso, r, beta) = (bw.Iso, bw.R, bw.Beta);
        var share = sums.Share!;
        var diagII = sums.DiagII!;

        // Fresh noise: w_l = E[G_l² 1[Y_{l−1} > 0]]/N_l, G_{k−1} = G_k + √(2τ_k²N_k)·1[Y_{k−1} > 0]z̃_k (Share[l] = w_l).
        double mean = 0, fresh = 0;
        var vFreshByLayer = new double[L + 1];
        for (int l = 1; l <= L; l++)
        {
            double t2 = tau[l - 1] * tau[l - 1];
            double vFresh = (8 * t2 * share[l] + 8 * t2 * t2 * pi[l - 1]) / (m * iso[l] * iso[l]);
            fresh += vFresh;
            vFreshByLayer[l] = vFresh;
            double bias = l == 1 ? 0 : SecondDerivativeOfPositivePart(logS[l - 1]) * meanT[l - 1];
            mean += Math.Log(iso[l]) + beta[l] * (bias - 2 * p[l - 1] * (1 + t2) / (m * r[l]))
                - (beta[l] * beta[l] * diagII[l - 1] / m + vFresh) / 2;
        }

        double vI = sums.CovHH / m + fresh;
        double cIF = sums.CovHG / m;
        double freshO = 0;
        for (int k = L; k >= 1; k--) freshO += bw.Crossed[k] * bw.Crossed[k] * vFreshByLayer[k];
        double mu1 = bw.Mu1, mu2 = bw.Mu2;
        double vHO = sums.CovHOHO / m + freshO;
        double cHHO = sums.CovHHO / m;
        double cFHO = sums.CovHOG / m;
        double a = bw.A, o = bw.O;
        double oShare = o / (a + o), aShare = 1 - oShare;
        // δC = aShare·δF + oShare·(forward part + isotropic part of δ log O).
        double vO = mu2 * fwdVar + vHO + 2 * mu1 * cFHO;
        double vC = aShare * aShare * fwdVar + oShare * oShare * vO + 2 * aShare * oShare * (mu1 * fwdVar + cFHO);
        double cIC = aShare * cIF + oShare * (mu1 * cIF + cHHO);
        // E C = log E(A + O) − Var C/2, E A = e^{E F + Var F/2}.
        double logC = fwdMean + fwdVar / 2 + StdNormal.Log1p(o / a) - vC / 2;
        double cCF = aShare * fwdVar + oShare * (mu1 * fwdVar + cFHO);
        var (bMean, bVar, bCov) = FiniteWidthTheory.MixOverOutput(outputDim, Math.Log(m - 1.0), m, mean, vI, logC, vC, cIC, cIF, cCF);
        var inf = new double[L + 1];
        for (int l = L - 1; l >= 0; l--) inf[l] = inf[l + 1] + Math.Log(iso[l + 1]);
        return (bMean, bVar, bCov, inf);
    }

    /// <summary>
    /// κ_i = w_i P_i Σ_{j&gt;i} β_{j+1} P″(S_j) Γ_j, w_i = 2τ_{i+1}²/Γ_{i+1}: the law's feedback on π̂ through T
    /// (<see cref="Res1FiniteWidth.Moments"/>), as weights on f_i.
    /// </summary>
    private static double[] Kappa(double[] beta, IReadOnlyList<double> tau, InfiniteWidthCurve curve, double[] pi, double[] logS)
    {
        int L = tau.Count;
        var logGamma = new double[L + 1];
        for (int l = 2; l <= L; l++) logGamma[l] = logGamma[l - 1] + Math.Log(1 + 2 * tau[l - 1] * tau[l - 1] * pi[l - 1]);
        var kappa = new double[L];
        double suffix = 0; // Σ_{j>i} β_{j+1} P″(S_j) Γ_j, j ≤ L − 1
        for (int i = L - 1; i >= 0; i--)
        {
            double pRaw = curve.PositivePart[i] * Math.Exp(curve.LogQ[i]);
            kappa[i] = 2 * tau[i] * tau[i] * Math.Exp(-logGamma[i + 1]) * pRaw * suffix;
            if (i >= 1) suffix += beta[i + 1] * SecondDerivativeOfPositivePart(logS[i]) * Math.Exp(logGamma[i]);
        }
        return kappa;
    }

    /// <summary>P″(S) = dπ/dS = −√2/(4π√S(S + 2)) (heat equation; docs/finite-width.md §11).</summary>
    private static double SecondDerivativeOfPositivePart(double logS)
    {
        double s = Math.Exp(logS);
        return -Math.Sqrt(2) / (4 * Math.PI * Math.Sqrt(s) * (s + 2));
    }
}
