using System.Numerics.Tensors;

namespace StabilityLab.Theory;

/// <summary>
/// m·Var(log(‖∂F/∂h_0‖²/‖∂F/∂h_L‖²)) to first order in 1/m for the post ReLU block (docs/finite-width.md §5).
/// A unit of ‖g‖² placed on coordinate k of layer j reaches layer 0 with weight w_j: the coordinate's own
/// part survives the masks D_j, D_{j−1}, … of its own path, and each layer spreads σ²·(surviving mass)
/// uniformly, where it is worth K_{j−1} = E[w_{j−1}] on average. So, with κ_j(x) = E[w_j | X_j = x] and
/// κ2_j(x) = E[w_j² | X_j = x] (κ_0 = κ2_0 = 1), both computed forward through the reverse kernel of the step
/// (E[f(X_{j−1}) | Z_j = z] = (f μ_{j−1} ∗ ϕ_σ)(z)/(μ_{j−1} ∗ ϕ_σ)(z)):
/// κ_j = 1[x&gt;0](E[κ_{j−1} | Z_j] + σ_j² K_{j−1}), κ2_j = 1[x&gt;0](E[κ2_{j−1} + 2σ_j²K_{j−1}κ_{j−1} | Z_j] + σ_j⁴K_{j−1}²).
/// The independent sources of fluctuation then add up:
/// the Gaussian g_L against its own norm, 3(E[w_L²]/E[w_L]² − 1); and per layer the fresh backward noise
/// g_{j−1} ∋ σρ_j z̃ crossed with the surviving gradient, 4σ_j² E[(D_jG_j)² w_{j−1}²], plus its square, 2σ_j⁴ρ_j⁴ E[w_{j−1}²],
/// all over (E‖g_0‖²)². The paths' own randomness (the binomial count of zero coordinates of h_0 included) is inside w.
/// </summary>
internal static class FiniteWidthBackwardVariance
{
    // Few calls with long loops: compiled fully optimized at once, not through the JIT's tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double Compute(FiniteWidthLayers layers, FiniteWidthBackward.Result backward)
    {
        int depth = layers.Depth;
        GridLaw? law = null;
        // Working vectors allocated once at the largest grid, used as spans of each law's length; k, k2 swap with
        // nk, nk2 layer to layer.
        int max = layers.MaxCount;
        double[] k = new double[max], k2 = new double[max], nk = new double[max], nk2 = new double[max], r = new double[max];
        double[] conv0 = new double[max], conv1 = new double[max], conv2 = new double[max], scratch = new double[max], ones = new double[max];
        Array.Fill(ones, 1.0);
        // κ̂ = κ/K and κ̂2 = κ2/K² on the current law (atom value, grid values); log K accumulated.
        double kAtom = 1, k2Atom = 1;
        int cn = 0;
        double logK = 0;
        double total = 0;
        double logT = backward.LogRatio[0];
        for (int l = 1; l <= depth; l++)
        {
            var input = layers.Input[l - 1];
            var output = layers.Output[l - 1];
            double s = layers.Sigma[l - 1];
            if (input is null || output is null || s == 0)
            {
                // τ_l = 0: only the mask 1[X_{l−1} > 0] acts.
                if (law is null) continue;
                double mean0 = FiniteWidthBackward.Mean(law, 0, k.AsSpan(0, cn));
                kAtom = 0; k2Atom = 0;
                for (int i = 0; i < cn; i++) { k[i] = k[i] / mean0; k2[i] = k2[i] / (mean0 * mean0); }
                logK += Math.Log(mean0);
                continue;
            }
            int ni = input.Count, n = output.Count;
            if (law is null || !ReferenceEquals(law, input))
            {
                if (law is null) { k.AsSpan(0, ni).Fill(1.0); k2.AsSpan(0, ni).Fill(1.0); }
                else
                {
                    FiniteWidthBackward.Interpolate(law, k.AsSpan(0, cn), input, nk.AsSpan(0, ni));
                    FiniteWidthBackward.Interpolate(law, k2.AsSpan(0, cn), input, nk2.AsSpan(0, ni));
                    (k, nk) = (nk, k);
                    (k2, nk2) = (nk2, k2);
                }
                cn = ni;
            }
            double s2 = s * s;
            var one = conv0.AsSpan(0, n);
            var ek = conv1.AsSpan(0, n);
            var ek2 = conv2.AsSpan(0, n);
            // μ_{l−1} ∗ ϕ_σ is the forward step's Z density, which it stored scaled by √r_l (the fast grid reuses it).
            if (layers.Options.ReuseForwardConvolution)
            {
                double sr = Math.Exp(layers.LogR[l - 1] / 2);
                TensorPrimitives.Divide(output.Density.AsSpan(0, n), sr, one);
            }
            else Convolve(input, output, s, layers.Options, 1, ones.AsSpan(0, ni), one, scratch);
            Convolve(input, output, s, layers.Options, kAtom, k.AsSpan(0, ni), ek, scratch);
            Convolve(input, output, s, layers.Options, k2Atom, k2.AsSpan(0, ni), ek2, scratch);
            // r: E[κ̂2_{l−1} | Z_l = z_k]
            for (int i = 0; i < n; i++)
            {
                double g = one[i];
                double a = g > 1e-300 ? ek[i] / g : 1, b = g > 1e-300 ? ek2[i] / g : 1;
                r[i] = b;
                nk[i] = a + s2;
                nk2[i] = b + 2 * s2 * a + s2 * s2;
            }
            // The layer's fresh backward noise, weighed by the future w_{l−1} (all relative to E‖g_0‖²).
            var gamma = backward.Gamma[l - 1]!;
            double rho2 = Dot(output, gamma, ones.AsSpan(0, n)), cross = Dot(output, gamma, r.AsSpan(0, n));
            double logRho2 = backward.LogRatio[l] + Math.Log(rho2);
            double k2Prev = FiniteWidthBackward.Mean(input, k2Atom, k2.AsSpan(0, ni));
            total += 4 * s2 * Math.Exp(logRho2 + backward.LogRatio[l] + 2 * logK - 2 * logT) * cross
                   + 2 * s2 * s2 * Math.Exp(2 * logRho2 + 2 * logK - 2 * logT) * k2Prev;
            // κ on X_l: the atom is masked.
            double mean = FiniteWidthBackward.Mean(output, 0, nk.AsSpan(0, n));
            TensorPrimitives.Divide(nk.AsSpan(0, n), mean, nk.AsSpan(0, n));
            TensorPrimitives.Divide(nk2.AsSpan(0, n), mean * mean, nk2.AsSpan(0, n));
            kAtom = 0; k2Atom = 0;
            (k, nk) = (nk, k);
            (k2, nk2) = (nk2, k2);
            cn = n;
            logK += Math.Log(mean);
            law = output;
        }
        if (law is null) return 0;
        // Source g_L: K_L = E[w_L] should equal E‖g_0‖² (e^{logT}); the ratio E[w²]/E[w]² is scale-free.
        double ew2 = FiniteWidthBackward.Mean(law, k2Atom, k2.AsSpan(0, cn));
        return total + 3 * (ew2 - 1);
    }

    /// <summary>E_μ[1[x&gt;0] f g] on the output law's grid (the atom is masked).</summary>
    private static double Dot(GridLaw law, ReadOnlySpan<double> f, ReadOnlySpan<double> g) => law.Integrate(f, g);

    /// <summary>(f μ) ∗ ϕ_σ at z_k = k h, k = 0..n−1 (n = g's length): the step's convolution with the input weights multiplied by f.</summary>
    private static void Convolve(GridLaw input, GridLaw output, double sigma, DensityGridOptions opt, double fAtom, ReadOnlySpan<double> f, Span<double> g,
        double[] scratch)
    {
        double h = input.Spacing;
        int n = g.Length;
        int band = (int)Math.Ceiling(opt.KernelSigmas * sigma / h);
        var c = BandCorrelation.GaussianTaps(h, sigma, band);
        var a = scratch.AsSpan(0, input.Count);
        input.WeightedInto(a);
        for (int i = 0; i < a.Length; i++) a[i] *= f[i];
        g.Clear();
        if (input.Layout is { } li && output.Layout is { } lo)
        {
            // Two-scale grid: the forward step's sums over its points.
            lo.AddAtom(input.Atom * fAtom, c, g);
            TwoScaleLayout.Correlate(li, lo, a, BandCorrelation.Kernel(c, odd: false, h, sigma), g, transpose: false, opt);
            return;
        }
        for (int k = 0; k <= Math.Min(band, n - 1); k++) g[k] += input.Atom * fAtom * c[k];
        // g_k = Σ_d c_|d| a[k − d − KLo].
        DensityEvolution.Correlate(a, -input.KLo, -1, BandCorrelation.Kernel(c, odd: false, h, sigma), g, opt);
    }
}
