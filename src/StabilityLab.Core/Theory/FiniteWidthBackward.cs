using System.Numerics.Tensors;

namespace StabilityLab.Theory;

/// <summary>
/// The backward pass of the post ReLU block at large width (docs/finite-width.md §4). Per coordinate,
/// g_{l−1} = D_l g_l + τ W_lᵀ D_l g_l reads G_{l−1} = 1[Z_l &gt; 0] G_l + σ_l (ρ_l z̃ + c_l X_{l−1}) + O(m^{−1/2}),
/// with z̃ fresh, ρ_l² = E[(D_l G_l)²] and c_l = E[ξ_l D_l G_l]. Started from a gradient g_L whose conditional mean
/// given the forward pass is 0, every c_l vanishes, and γ_l(x) = E[G_l² | X_l = x] obeys the linear backward recursion
/// γ_{l−1}(x) = E_ξ[1[x+σ_lξ &gt; 0] γ_l((x+σ_lξ)/√r_l)] + σ_l² ρ_l²,  ρ_l² = E_{μ_{l−1}}[first term],
/// so ‖g_{l−1}‖²/‖g_l‖² → ρ_l²(1+σ_l²). The first term is the exact transpose of <see cref="DensityEvolution"/>'s
/// discrete step (same kernel taps, same Gregory weights), so the zero coordinates of h_{l−1} gate the gradient
/// exactly as the forward law says.
/// </summary>
internal static class FiniteWidthBackward
{
    /// <param name="LogRatio">log(‖g_l‖²/‖g_L‖²) for l = 0..L (index l; LogRatio[L] = 0)</param>
    /// <param name="Gamma">Gamma[l−1] (isotropic run only): γ_l/E[γ_l] on the grid of <see cref="FiniteWidthLayers.Output"/>[l−1] (atom excluded: D_l kills it)</param>
    public readonly record struct Result(double[] LogRatio, double[]?[] Gamma);

    /// <summary>
    /// The recursion from g_L's isotropic part (γ_L = 1, β_L = 0: every c_l = 0) or from its part along ĥ_L
    /// (coherent: γ_L(x) = x², β_L(x) = x, where β_l(x) = E[G_l | X_l = x] follows
    /// β_{l−1}(x) = E_ξ[1[x+σξ &gt; 0] β_l] + σ_l c_l x, c_l = E[ξ_l 1[Z_l &gt; 0] β_l], and γ gains σ²c_l²x² + 2σc_l x E_ξ[1[…]β_l]).
    /// LogRatio[0] is then log E‖g_0‖²/‖g_L‖² for that part alone.
    /// </summary>
    // Few calls with long loops: compiled fully optimized at once, not through the JIT's tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Result Run(FiniteWidthLayers layers, bool coherent)
    {
        int depth = layers.Depth;
        var logRatio = new double[depth + 1];
        GridLaw? top = LastLaw(layers, depth);
        if (top is null) throw new InvalidOperationException("no layer has τ > 0");
        // Working vectors allocated once at the largest grid and swapped layer to layer (spans of each law's length).
        int max = layers.MaxCount;
        double[] g = new double[max], b = new double[max], p = new double[max], q = new double[max], xi = new double[max], wg = new double[max];
        double gAtom = 0, bAtom = 0;
        int cn = top.Count;
        for (int k = 0; k < cn; k++)
        {
            double x = top.X(k);
            g[k] = coherent ? x * x : 1;
            b[k] = coherent ? x : 0;
        }
        if (!coherent) gAtom = 1;
        var gammas = new double[]?[depth];
        GridLaw current = top;
        for (int l = depth; l >= 1; l--)
        {
            double sigma = layers.Sigma[l - 1];
            var input = layers.Input[l - 1];
            var output = layers.Output[l - 1];
            if (sigma == 0 || input is null || output is null)
            {
                // τ_l = 0: D_l = 1[X_{l−1} > 0] on the same law; W_l contributes nothing.
                gAtom = 0;
                bAtom = 0;
                double mass = Mean(current, 0, g.AsSpan(0, cn));
                Scale(ref gAtom, g.AsSpan(0, cn), 1 / mass);
                Scale(ref bAtom, b.AsSpan(0, cn), 1 / Math.Sqrt(mass));
                logRatio[l - 1] = logRatio[l] + Math.Log(mass);
                continue;
            }
            int no = output.Count, ni = input.Count;
            if (!ReferenceEquals(current, output))
            {
                Interpolate(current, g.AsSpan(0, cn), output, p.AsSpan(0, no));
                (g, p) = (p, g);
                Interpolate(current, b.AsSpan(0, cn), output, p.AsSpan(0, no));
                (b, p) = (p, b);
            }
            if (!coherent)
            {
                double gm = Mean(output, gAtom, g.AsSpan(0, no));
                var gn = GridLaw.NewDensity(no);
                TensorPrimitives.Divide(g.AsSpan(0, no), gm, gn);
                gammas[l - 1] = gn;
            }
            double pAtom = Transpose(input, output, sigma, g.AsSpan(0, no), layers.Options, weighted: false, p.AsSpan(0, ni), wg);
            double qAtom = 0;
            if (coherent) qAtom = Transpose(input, output, sigma, b.AsSpan(0, no), layers.Options, weighted: false, q.AsSpan(0, ni), wg);
            else q.AsSpan(0, ni).Clear();
            double rho2 = Mean(input, pAtom, p.AsSpan(0, ni));
            double c = 0;
            if (coherent)
            {
                double xiAtom = Transpose(input, output, sigma, b.AsSpan(0, no), layers.Options, weighted: true, xi.AsSpan(0, ni), wg);
                c = Mean(input, xiAtom, xi.AsSpan(0, ni));
            }
            double s2 = sigma * sigma;
            gAtom = pAtom + s2 * rho2;
            // Isotropic run (c = 0): the x terms add ±0, so p gains s2·ρ² exactly (one vector add) and q stays 0.
            if (c == 0) TensorPrimitives.Add(p.AsSpan(0, ni), s2 * rho2, p.AsSpan(0, ni));
            else
                for (int j = 0; j < ni; j++)
                {
                    double x = input.X(j);
                    p[j] += s2 * rho2 + s2 * c * c * x * x + 2 * sigma * c * x * q[j];
                    q[j] += sigma * c * x;
                }
            (g, p) = (p, g);
            (b, q) = (q, b);
            cn = ni;
            bAtom = qAtom;
            double norm = Mean(input, gAtom, g.AsSpan(0, cn));
            Scale(ref gAtom, g.AsSpan(0, cn), 1 / norm);
            Scale(ref bAtom, b.AsSpan(0, cn), 1 / Math.Sqrt(norm));
            logRatio[l - 1] = logRatio[l] + Math.Log(norm);
            current = input;
        }
        return new Result(logRatio, gammas);
    }

    private static GridLaw? LastLaw(FiniteWidthLayers layers, int depth)
    {
        for (int l = depth; l >= 1; l--)
            if (layers.Output[l - 1] is { } o) return o;
        return null;
    }

    /// <summary>E_μ[γ] with the law's own quadrature (atom + Gregory-weighted density).</summary>
    internal static double Mean(GridLaw law, double atomValue, ReadOnlySpan<double> values) => law.Integrate(atomValue, values);

    private static void Scale(ref double atom, Span<double> values, double c)
    {
        atom *= c;
        TensorPrimitives.Multiply(values, c, values);
    }

    /// <summary>
    /// (Pγ)(x) = Σ_k h w_k c(z_k − x) γ_k over the output grid z_k = k h ≥ 0 (w = Gregory's left weights),
    /// at x = 0 (the atom of the input law) and at every input grid point: the transpose of the step's
    /// convolution, restricted to Z &gt; 0 (the mask D_l).
    /// </summary>
    private static double Transpose(GridLaw input, GridLaw output, double sigma, ReadOnlySpan<double> gamma, DensityGridOptions opt, bool weighted,
        Span<double> p, double[] scratch)
    {
        double h = input.Spacing;
        int nz = output.Count;
        int band = (int)Math.Min(Math.Ceiling(opt.KernelSigmas * sigma / h), nz + input.Count);
        var c = BandCorrelation.GaussianTaps(h, sigma, band);
        var wg = scratch.AsSpan(0, nz);
        var gw = GregoryWeights.Left;
        // weighted: the taps carry ξ = (z − x)/σ, for E_ξ[ξ 1[x+σξ > 0] f].
        var tap = BandCorrelation.Kernel(c, weighted, h, sigma);
        if (output.Layout is { } lo && input.Layout is { } li)
        {
            // Two-scale grid: the same transpose over its points and weights.
            lo.ScaleByFactors(h, gamma, wg);
            p.Clear();
            TwoScaleLayout.Correlate(li, lo, wg, tap, p, transpose: true, opt);
            return lo.AtomTranspose(tap, wg);
        }
        for (int k = 0; k < nz; k++) wg[k] = h * (k < gw.Length ? gw[k] : 1) * gamma[k];
        double atom = 0;
        for (int k = 0; k <= Math.Min(band, nz - 1); k++) atom += tap[k + band] * wg[k];
        // p_j = Σ_d Tap(d) wg[kj + d], kj = KLo + j.
        p.Clear();
        DensityEvolution.Correlate(wg, input.KLo, 1, tap, p, opt);
        return atom;
    }

    /// <summary>γ from the grid of <paramref name="from"/> onto the grid of <paramref name="to"/> (linear; γ is smooth).</summary>
    internal static void Interpolate(GridLaw from, ReadOnlySpan<double> values, GridLaw to, Span<double> r)
    {
        if (from.Layout is { } t)
        {
            // Two-scale grid: the uniform grid's linear interpolation between lattice neighbours, whose values come from the fine
            // part inside it and from the coarse part (Lagrange through 10 of its points) beyond: the same interpolation as the
            // uniform grid's, so the fast path keeps its numbers (docs/finite-width.md §3).
            int last = t.Lattice(t.Count - 1);
            for (int k = 0; k < r.Length; k++)
            {
                double u = to.X(k) / from.Spacing;
                int i = Math.Clamp((int)Math.Floor(u), 0, last - 1);
                double f = Math.Clamp(u - i, 0, 1);
                r[k] = AtLattice(t, values, i) * (1 - f) + AtLattice(t, values, i + 1) * f;
            }
            return;
        }
        for (int k = 0; k < r.Length; k++)
        {
            double u = to.X(k) / from.Spacing - from.KLo;
            int i = Math.Clamp((int)Math.Floor(u), 0, from.Count - 2);
            double f = Math.Clamp(u - i, 0, 1);
            r[k] = values[i] * (1 - f) + values[i + 1] * f;
        }
    }

    /// <summary>A two-scale function's value at a lattice index: the fine part's value inside it, else Lagrange through the coarse part.</summary>
    private static double AtLattice(TwoScaleLayout t, ReadOnlySpan<double> values, int lattice) =>
        lattice < t.FineCount ? values[lattice] : GridLaw.Lagrange(values[t.FineCount..], (lattice - t.CoarseFrom) / (double)t.Step, GridLaw.CoarseStencil);
}
