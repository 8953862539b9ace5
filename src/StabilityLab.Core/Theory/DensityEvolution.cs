using System.Numerics.Tensors;

namespace StabilityLab.Theory;

/// <summary>
/// One layer of density evolution on a <see cref="GridLaw"/> X with E[X²] ≈ 1 (docs/science.md §3):
/// Z = X + σξ (exact convolution of the atom with N(0, σ²), quadrature for the density, Gaussian
/// kernel on the grid cut at ±KernelSigmas·σ), then for the post block X' = Z_+/√r with
/// r = E[Z_+²] (the ReLU folds all mass below 0 into the atom), for res1 X' = Z/√r with r = E[Z²].
/// r is computed exactly from the discretized X (closed-form Gaussian integrals), and
/// scale-equivariance of ReLU gives log Q_l = log Q_{l−1} + log r.
/// </summary>
internal static class DensityEvolution
{
    /// <param name="Next">the law of X' (unit second moment)</param>
    /// <param name="LogRatio">log r = log(Q_l/Q_{l−1})</param>
    /// <param name="NoiseVariance">E_X[Var_ξ(φ(X+σξ)²)]/r²: m·Var(log(‖h_l‖²/‖h_{l−1}‖²) | h_{l−1}) as m → ∞</param>
    public readonly record struct Result(GridLaw Next, double LogRatio, double NoiseVariance);

    public static Result Step(GridLaw law, double sigma, bool fold, DensityGridOptions opt)
    {
        var a = law.RentWeighted();
        try { return Step(law, a, sigma, fold, opt); }
        finally { GridLaw.Return(a); }
    }

    /// <summary><see cref="BandCorrelation.Add"/>, or its per-tap reference when the options ask for it (tests).</summary>
    internal static void Correlate(ReadOnlySpan<double> src, int shift, int dir, ReadOnlySpan<double> w, Span<double> dst, DensityGridOptions opt)
    {
        if (opt.ReferenceKernel) BandCorrelation.AddPerTap(src, shift, dir, w, dst);
        else BandCorrelation.Add(src, shift, dir, w, dst);
    }

    // Few calls with long loops: compiled fully optimized at once, not through the JIT's tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static Result Step(GridLaw law, double[] a, double sigma, bool fold, DensityGridOptions opt)
    {
        int n = law.Count;
        double h = law.Spacing;
        double r, atom, noise;
        if (fold)
        {
            if (law.KLo < 0) throw new InvalidOperationException("the post block's law lives on [0, ∞)");
            // E[(x+σξ)_+²] = (x²+σ²)Φ(x/σ) + xσϕ(x/σ); P(x+σξ ≤ 0) = Φ(−x/σ). Beyond 9σ: x²+σ² and 0.
            // E[(x+σξ)_+⁴] = (x⁴+6x²σ²+3σ⁴)Φ(x/σ) + (x³σ+5xσ³)ϕ(x/σ).
            double s2 = sigma * sigma;
            r = law.Atom * s2 / 2;
            atom = law.Atom / 2;
            double m4 = law.Atom * 1.5 * s2 * s2, m22 = law.Atom * s2 * s2 / 4;
            double cut = 9 * sigma;
            for (int i = 0; i < n; i++)
            {
                double x = law.X(i), x2 = x * x;
                double e2, e4;
                if (x < cut)
                {
                    double u = x / sigma, cdf = StdNormal.Cdf(u), pdf = StdNormal.Pdf(u);
                    e2 = (x2 + s2) * cdf + x * sigma * pdf;
                    e4 = (x2 * x2 + 6 * x2 * s2 + 3 * s2 * s2) * cdf + (x2 * x * sigma + 5 * x * s2 * sigma) * pdf;
                    atom += a[i] * StdNormal.Cdf(-u);
                }
                else
                {
                    e2 = x2 + s2;
                    e4 = x2 * x2 + 6 * x2 * s2 + 3 * s2 * s2;
                }
                r += a[i] * e2;
                m4 += a[i] * e4;
                m22 += a[i] * e2 * e2;
            }
            noise = (m4 - m22) / (r * r);
        }
        else
        {
            // E[(X+σξ)²] = E[X²] + σ² (the atom sits at 0); Var_ξ((x+σξ)²) = 4x²σ² + 2σ⁴.
            double s2 = sigma * sigma, m2 = 0;
            for (int i = 0; i < n; i++)
            {
                double x = law.X(i);
                m2 += a[i] * x * x;
            }
            r = m2 + s2;
            atom = 0;
            noise = (4 * m2 * s2 + 2 * s2 * s2) / (r * r);
        }
        double sr = Math.Sqrt(r);

        // Z on z_k = k·h: wide enough that X' = Z/√r covers [0 or −Range, Range].
        int kHi = (int)Math.Ceiling(opt.Range * sr / h);
        if (law.Layout is { } layout)
        {
            // Two-scale grid (docs/finite-width.md §3): the same sums over its points, the output on the same lattice.
            var outLayout = TwoScaleLayout.Covering(layout.Step, layout.Scale, kHi);
            var gt = GridLaw.NewDensity(outLayout.Count);
            int bt = (int)Math.Ceiling(opt.KernelSigmas * sigma / h);
            var ct = BandCorrelation.GaussianTaps(h, sigma, bt);
            outLayout.AddAtom(law.Atom, ct, gt);
            TwoScaleLayout.Correlate(layout, outLayout, a.AsSpan(0, n), BandCorrelation.Kernel(ct, odd: false, h, sigma), gt, transpose: false, opt);
            TensorPrimitives.Multiply(gt, sr, gt);
            return new Result(new GridLaw(atom, gt, outLayout, h / sr), Math.Log(r), noise);
        }
        int kLo = fold ? 0 : -kHi;
        int nz = kHi - kLo + 1;
        if (nz > opt.MaxPoints)
            throw new InvalidOperationException($"density grid needs {nz} points (limit {opt.MaxPoints}); coarsen the options or shorten the schedule");
        var g = GridLaw.NewDensity(nz);
        int band = (int)Math.Min(Math.Ceiling(opt.KernelSigmas * sigma / h), nz + n);
        var c = BandCorrelation.GaussianTaps(h, sigma, band);

        // Atom: exact convolution δ_0 * N(0, σ²).
        for (int k = Math.Max(kLo, -band); k <= Math.Min(kHi, band); k++) g[k - kLo] += law.Atom * c[Math.Abs(k)];

        // Density: g(z_k) = Σ_d c_{|d|} a_{k−d}, the grid index of a_j being KLo + j.
        Correlate(a.AsSpan(0, n), kLo - law.KLo, -1, BandCorrelation.Kernel(c, odd: false, h, sigma), g, opt);

        // X' = Z/√r: density √r·g(√r x) on the grid x_k = k·h/√r.
        TensorPrimitives.Multiply(g, sr, g);
        return new Result(new GridLaw(atom, g, kLo, h / sr, fold), Math.Log(r), noise);
    }
}
