using System.Runtime.CompilerServices;

namespace StabilityLab.Theory;

/// <summary>
/// Every sum over layer pairs that the res1/ReLU theory needs (docs/finite-width.md §11), all per coordinate (divide by m):
/// VarG = Var(G) and VarGL = Var(G + Y_0²) for the forward functional G (<see cref="Res1Weights.G"/>);
/// for the second-order mean (null where it is first order only), per l = 1..L−1, VarTIncrement[l] = Var(A_l) − Var(A_{l−1})
/// and Self[l] = Cov(1[Y_l &gt; 0], A_l) with A_l = Σ_{j&lt;l} w_j P_j f_j; for the backward ratio (null where it is not
/// predicted) Share[l] (l = 1..L: the share of ‖g_l‖² on the coordinates positive at l − 1, times N_l), DiagII[j] =
/// Var(1[Y_j &gt; 0]) and the covariances of the gating functionals H, H_O (<see cref="Res1Backward"/>) with each other and with G.
/// Two ways to the same numbers: <see cref="Quadrature"/>, the reference (each pair a 96-node Gauss–Legendre integral,
/// O(L²) memory), and <see cref="ClosedForm"/> (each pair closed form, <see cref="Res1PairMoments"/>, streamed in O(L) memory).
/// </summary>
internal sealed record Res1PairSums(double VarG, double VarGL, double[]? VarTIncrement, double[]? Self, double[]? Share, double[]? DiagII,
    double CovHH, double CovHOHO, double CovHHO, double CovHG, double CovHOG)
{
    /// <summary>
    /// The reference: the pair integrals of <see cref="Res1FiniteWidth.Covariances"/> (stored, O(L²) memory) and the sums over
    /// them in the order of the first implementation (its numbers bit for bit).
    /// </summary>
    public static Res1PairSums Quadrature(IReadOnlyList<double> tau, InfiniteWidthCurve curve, double[] logS, double[] pi, Res1Weights w)
    {
        int L = tau.Count;
        var cov = Res1FiniteWidth.Covariances(tau, curve, logS, pi);
        double VarOf(double[] coef)
        {
            double v = cov.VarFL;
            for (int j = 0; j < L; j++)
            {
                double row = coef[j] * cov.C[j][0] + 2 * cov.CL[j];
                for (int k = j + 1; k < L; k++) row += 2 * coef[k] * cov.C[j][k - j];
                v += coef[j] * row;
            }
            return v;
        }
        double varG = VarOf(w.G);
        var gl = (double[])w.G.Clone();
        gl[0] = w.Rho0;
        double varGL = VarOf(gl);
        if (w.Wj is null || w.P is null) return new Res1PairSums(varG, varGL, null, null, null, null, 0, 0, 0, 0, 0);
        var wj = w.Wj;
        var P = w.P;
        var inc = new double[L];
        var self = new double[L];
        for (int l = 1; l < L; l++)
        {
            int jn = l - 1;
            double add = wj[jn] * wj[jn] * P[jn] * P[jn] * cov.C[jn][0];
            for (int j = 0; j < jn; j++) add += 2 * wj[j] * wj[jn] * P[j] * P[jn] * cov.C[j][jn - j];
            inc[l] = add;
            double s = 0;
            for (int j = 0; j < l; j++) s += wj[j] * P[j] * cov.D[l][j];
            self[l] = s;
        }
        if (w.Backward is not { } b) return new Res1PairSums(varG, varGL, inc, self, null, null, 0, 0, 0, 0, 0);

        // P(Y_a > 0, Y_b > 0), a ≤ b < L.
        double Both(int a, int c) => cov.II[a][c - a] + cov.Pi[a] * (a == c ? cov.Pi[a] : pi[c]);
        var share = new double[L + 1];
        for (int l = 1; l <= L; l++)
        {
            double sh = cov.Pi[l - 1] * Math.Exp(-b.LogN[l]);
            for (int k = l + 1; k <= L; k++)
                sh += 2 * tau[k - 1] * tau[k - 1] * Math.Exp(b.LogN[k] - b.LogN[l]) * Both(l - 1, k - 1);
            share[l] = sh;
        }
        var diagII = new double[L];
        for (int j = 0; j < L; j++) diagII[j] = cov.II[j][0];
        return new Res1PairSums(varG, varGL, inc, self, share, diagII,
            CovarianceOfH(b.Beta, b.Kappa, b.Beta, b.Kappa, cov, L), CovarianceOfH(b.BetaO, b.KappaO, b.BetaO, b.KappaO, cov, L),
            CovarianceOfH(b.Beta, b.Kappa, b.BetaO, b.KappaO, cov, L), CovarianceOfHG(b.Beta, b.Kappa, w.G, cov, L), CovarianceOfHG(b.BetaO, b.KappaO, w.G, cov, L));
    }

    /// <summary>
    /// Cov(H₁, H₂), H = Σ_j β_{j+1}1[Y_j &gt; 0] + Σ_i κ_i f_i (j, i &lt; L), from the path covariances.
    /// </summary>
    private static double CovarianceOfH(double[] b1, double[] k1, double[] b2, double[] k2, Res1FiniteWidth.PathCovariances cov, int L)
    {
        double v = 0;
        for (int j = 0; j < L; j++)
        {
            double bj1 = b1[j + 1], kj1 = k1[j], bj2 = b2[j + 1], kj2 = k2[j];
            double row = bj1 * bj2 * cov.II[j][0] + kj1 * kj2 * cov.C[j][0] + (bj1 * kj2 + kj1 * bj2) * cov.IF[j][0];
            for (int k = j + 1; k < L; k++)
            {
                double bk1 = b1[k + 1], kk1 = k1[k], bk2 = b2[k + 1], kk2 = k2[k];
                // (j, k) and (k, j): 1_j·1_k, f_j·f_k, 1_j·f_k (IF, j earlier), f_j·1_k (D[k][j] = Cov(1_k, f_j)).
                row += (bj1 * bk2 + bk1 * bj2) * cov.II[j][k - j] + (kj1 * kk2 + kk1 * kj2) * cov.C[j][k - j]
                    + (bj1 * kk2 + kk1 * bj2) * cov.IF[j][k - j] + (kj1 * bk2 + bk1 * kj2) * cov.D[k][j];
            }
            v += row;
        }
        return v;
    }

    /// <summary>Cov(H, G): H as in <see cref="CovarianceOfH"/>, G = Y_L²/Q_L + Σ_i c_i f_i.</summary>
    private static double CovarianceOfHG(double[] beta, double[] kappa, double[] c, Res1FiniteWidth.PathCovariances cov, int L)
    {
        double v = 0;
        for (int j = 0; j < L; j++)
        {
            double bj = beta[j + 1], kj = kappa[j];
            double row = bj * cov.IL[j] + kj * cov.CL[j];
            for (int i = 0; i < L; i++)
            {
                double cIndF = i >= j ? cov.IF[j][i - j] : cov.D[j][i]; // Cov(1_j, f_i)
                double cFF = i >= j ? cov.C[j][i - j] : cov.C[i][j - i];
                row += c[i] * (bj * cIndF + kj * cFF);
            }
            v += row;
        }
        return v;
    }

    /// <summary>Rows per block of <see cref="ClosedForm"/>'s parallel pass: a fixed split, so the sums do not depend on the core count.</summary>
    private const int Blocks = 32;

    /// <summary>
    /// The same sums from the closed-form pair covariances (<see cref="Res1PairMoments"/>), in one pass over the pairs j &lt; k
    /// that keeps only per-row sums (O(L) memory): every functional here is A = a_L Y_L²/Q_L + Σ_j (a_j 1[Y_j &gt; 0] + α_j f_j),
    /// and Cov(A, B) = Σ_j [diagonal + a_j R^B_j + b_j R^A_j + …] with R^B_j = Σ_{k&gt;j} (b_k Cov(1_j, 1_k) + β_k Cov(1_j, f_k))
    /// and its f_j row (docs/finite-width.md §11, "Closed-form pairs"); the mean's column sums Σ_{j&lt;k} w_j P_j Cov(f_j, ·_k)
    /// are kept per block of rows and added in block order (same bits on any number of cores).
    /// </summary>
    public static Res1PairSums ClosedForm(InfiniteWidthCurve curve, double[] logS, double[] pi, Res1Weights w)
    {
        int L = curve.Depth;
        var km = new Res1PairMoments(logS, curve.LogQ, curve.PositivePart, pi);
        var c = w.G;
        double[]? u = null;
        if (w.Wj is { } wj && w.P is { } P)
        {
            u = new double[L];
            for (int j = 0; j < L; j++) u[j] = wj[j] * P[j];
        }
        var b = w.Backward;
        // Column weights of the functionals H and H_O on 1_k (β_{k+1}) and f_k (κ_k), and of the backward share on 1_k.
        double[]? hb = null, ob = null, sw = null;
        if (b is not null)
        {
            hb = new double[L];
            ob = new double[L];
            sw = new double[L];
            for (int k = 0; k < L; k++)
            {
                hb[k] = b.Beta[k + 1];
                ob[k] = b.BetaO[k + 1];
                sw[k] = 2 * w.Tau[k] * w.Tau[k] * Math.Exp(b.LogN[k + 1]);
            }
        }
        // Per row j (sums over k > j): G on f (R^G_j: its 1_j row and f_j row), H and H_O (four each), the share.
        const int Rows = 11;
        var row = new double[Rows][];
        for (int r = 0; r < Rows; r++) row[r] = new double[L];
        var bounds = BlockBounds(L);
        int nb = bounds.Length - 1;
        var colF = u is null ? null : new double[nb][];
        var colI = u is null ? null : new double[nb][];
        var cols = new ColumnWeights(c, u, hb, b?.Kappa, ob, b?.KappaO, sw);
        Parallel.For(0, nb, new ParallelOptions { MaxDegreeOfParallelism = L >= ParallelFromDepth ? -1 : 1 }, blk =>
        {
            if (u is not null)
            {
                colF![blk] = new double[L];
                colI![blk] = new double[L];
            }
            RowSums(km, cols, bounds[blk], bounds[blk + 1], L, row, colF?[blk], colI?[blk]);
        });

        // Diagonal and the Y_L² terms.
        var diagFF = new double[L];
        var diagII = new double[L];
        var diagIF = new double[L];
        var lastF = new double[L];
        var lastI = new double[L];
        for (int j = 0; j < L; j++)
        {
            diagFF[j] = km.SecondMoment(j) - 1;
            diagII[j] = pi[j] * (1 - pi[j]);
            diagIF[j] = 1 - pi[j];
            (lastF[j], lastI[j]) = km.WithLast(j);
        }
        double varFL = Res1FiniteWidth.VarianceOfLast(logS[L], curve.LogQ[L]);

        // Cov(A, B) for A = (aL; a on 1, α on f) from the row sums: rA = (R_II, R_IF, R_FI, R_FF) of A's weights.
        double Cov(double aL, double[]? a, double[] alpha, int rA, double bL, double[]? bb, double[] beta, int rB)
        {
            double v = aL * bL * varFL;
            for (int j = 0; j < L; j++)
            {
                double a1 = a is null ? 0 : a[j], a2 = alpha[j], b1 = bb is null ? 0 : bb[j], b2 = beta[j];
                double rowA1 = rA < 0 ? row[0][j] : row[rA][j] + row[rA + 1][j]; // Σ_k over A's weights, 1_j row
                double rowA2 = rA < 0 ? row[1][j] : row[rA + 2][j] + row[rA + 3][j]; // f_j row
                double rowB1 = rB < 0 ? row[0][j] : row[rB][j] + row[rB + 1][j];
                double rowB2 = rB < 0 ? row[1][j] : row[rB + 2][j] + row[rB + 3][j];
                v += a1 * b1 * diagII[j] + (a1 * b2 + a2 * b1) * diagIF[j] + a2 * b2 * diagFF[j]
                    + a1 * rowB1 + a2 * rowB2 + b1 * rowA1 + b2 * rowA2
                    + aL * (b1 * lastI[j] + b2 * lastF[j]) + bL * (a1 * lastI[j] + a2 * lastF[j]);
            }
            return v;
        }
        // rA = −1: G (no 1_j weights: its rows are row[0] (1_j row) and row[1] (f_j row)).
        double varG = Cov(1, null, c, -1, 1, null, c, -1);
        // G + Y_0² = G + f_0 (P_0 = 1): Var = Var G + 2 Cov(f_0, G) + Var f_0.
        double covF0G = c[0] * diagFF[0] + row[1][0] + lastF[0];
        double varGL = varG + 2 * covF0G + diagFF[0];
        if (u is null) return new Res1PairSums(varG, varGL, null, null, null, null, 0, 0, 0, 0, 0);
        var inc = new double[L];
        var self = new double[L];
        for (int l = 1; l < L; l++)
        {
            int jn = l - 1;
            double cfSum = 0, ciSum = 0;
            for (int blk = 0; blk < nb; blk++)
            {
                cfSum += colF![blk][jn];
                ciSum += colI![blk][l];
            }
            inc[l] = u[jn] * u[jn] * diagFF[jn] + 2 * u[jn] * cfSum;
            self[l] = ciSum;
        }
        if (b is null) return new Res1PairSums(varG, varGL, inc, self, null, null, 0, 0, 0, 0, 0);
        // Share[l] = N_l⁻¹ (π_{l−1} + Σ_{k>l−1} sw_k P(Y_{l−1} > 0, Y_k > 0)), P(both) = Cov + π π.
        var share = new double[L + 1];
        double swPi = 0; // Σ_{k>j} sw_k π_k
        for (int j = L - 1; j >= 0; j--)
        {
            share[j + 1] = Math.Exp(-b.LogN[j + 1]) * (pi[j] + row[10][j] + pi[j] * swPi);
            swPi += sw![j] * pi[j];
        }
        return new Res1PairSums(varG, varGL, inc, self, share, diagII,
            Cov(0, hb, b.Kappa, 2, 0, hb, b.Kappa, 2), Cov(0, ob, b.KappaO, 6, 0, ob, b.KappaO, 6), Cov(0, hb, b.Kappa, 2, 0, ob, b.KappaO, 6),
            Cov(0, hb, b.Kappa, 2, 1, null, c, -1), Cov(0, ob, b.KappaO, 6, 1, null, c, -1));
    }

    /// <summary>The column weights of <see cref="RowSums"/>: G on f, u = w P (mean; null where first order), H and H_O on 1 and f, the share on 1 (backward; null where not predicted).</summary>
    private sealed record ColumnWeights(double[] G, double[]? U, double[]? HI, double[]? HF, double[]? OI, double[]? OF, double[]? Share);

    /// <summary>
    /// Rows j0..j1−1 of the pass: row[r][j] the sums over k &gt; j (see <see cref="ClosedForm"/>), cf[k] += u_j Cov(f_j, f_k)
    /// and ci[k] += u_j Cov(f_j, 1_k). The O(L²) loop of the res1 theory: compiled fully optimized at once (a single
    /// `theory` call would otherwise spend its first rows in the JIT's unoptimized tier).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowSums(Res1PairMoments km, ColumnWeights w, int j0, int j1, int L, double[][] row, double[]? cf, double[]? ci)
    {
        var c = w.G;
        var u = w.U;
        for (int j = j0; j < j1; j++)
        {
            double gI = 0, gF = 0, hII = 0, hIF = 0, hFI = 0, hFF = 0, oII = 0, oIF = 0, oFI = 0, oFF = 0, sh = 0;
            if (w.HI is { } hb && w.HF is { } hf && w.OI is { } ob && w.OF is { } of && w.Share is { } sw)
            {
                for (int k = j + 1; k < L; k++)
                {
                    var p = km.Of(j, k);
                    gI += c[k] * p.IF;
                    gF += c[k] * p.FF;
                    hII += hb[k] * p.II;
                    hIF += hf[k] * p.IF;
                    hFI += hb[k] * p.FI;
                    hFF += hf[k] * p.FF;
                    oII += ob[k] * p.II;
                    oIF += of[k] * p.IF;
                    oFI += ob[k] * p.FI;
                    oFF += of[k] * p.FF;
                    sh += sw[k] * p.II;
                    if (cf is not null)
                    {
                        cf[k] += u![j] * p.FF;
                        ci![k] += u[j] * p.FI;
                    }
                }
            }
            else
            {
                for (int k = j + 1; k < L; k++)
                {
                    var p = km.Of(j, k);
                    gI += c[k] * p.IF;
                    gF += c[k] * p.FF;
                    if (cf is not null)
                    {
                        cf[k] += u![j] * p.FF;
                        ci![k] += u[j] * p.FI;
                    }
                }
            }
            row[0][j] = gI; row[1][j] = gF;
            row[2][j] = hII; row[3][j] = hIF; row[4][j] = hFI; row[5][j] = hFF;
            row[6][j] = oII; row[7][j] = oIF; row[8][j] = oFI; row[9][j] = oFF;
            row[10][j] = sh;
        }
    }

    /// <summary>From this depth the closed-form pass runs its blocks of rows on every core.</summary>
    private const int ParallelFromDepth = 256;

    /// <summary>Row j has L − 1 − j pairs: <see cref="Blocks"/> blocks of about equal work, fixed by L alone.</summary>
    private static int[] BlockBounds(int L)
    {
        int nb = Math.Min(Blocks, L);
        var bounds = new int[nb + 1];
        double total = (double)L * (L - 1) / 2;
        int j = 0;
        double done = 0;
        for (int blk = 1; blk < nb; blk++)
        {
            while (j < L && done < total * blk / nb) done += L - 1 - j++;
            bounds[blk] = j;
        }
        bounds[nb] = L;
        return bounds;
    }
}
