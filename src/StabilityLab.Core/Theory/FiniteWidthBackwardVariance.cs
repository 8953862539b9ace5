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
    public static double Compute(FiniteWidthLayers layers, FiniteWidthBackward.Result backward)
    {
        int depth = layers.Depth;
        GridLaw? law = null;
        // κ̂ = κ/K and κ̂2 = κ2/K² on the current law (atom value, grid values); log K accumulated.
        double kAtom = 1, k2Atom = 1;
        double[]? k = null, k2 = null;
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
                double mean0 = FiniteWidthBackward.Mean(law, 0, k!);
                kAtom = 0; k2Atom = 0;
                k = k!.Select(v => v / mean0).ToArray();
                k2 = k2!.Select(v => v / (mean0 * mean0)).ToArray();
                logK += Math.Log(mean0);
                continue;
            }
            if (law is null || !ReferenceEquals(law, input))
            {
                if (law is null) { k = Ones(input.Count); k2 = Ones(input.Count); }
                else { k = FiniteWidthBackward.Interpolate(law, k!, input); k2 = FiniteWidthBackward.Interpolate(law, k2!, input); }
            }
            double s2 = s * s;
            var ones = Convolve(input, s, layers.Options, output.Count, 1, Ones(input.Count));
            var ek = Convolve(input, s, layers.Options, output.Count, kAtom, k!);
            var ek2 = Convolve(input, s, layers.Options, output.Count, k2Atom, k2!);
            int n = output.Count;
            var nk = new double[n];
            var nk2 = new double[n];
            var r = new double[n]; // E[κ̂2_{l−1} | Z_l = z_k]
            for (int i = 0; i < n; i++)
            {
                double g = ones[i];
                double a = g > 1e-300 ? ek[i] / g : 1, b = g > 1e-300 ? ek2[i] / g : 1;
                r[i] = b;
                nk[i] = a + s2;
                nk2[i] = b + 2 * s2 * a + s2 * s2;
            }
            // The layer's fresh backward noise, weighed by the future w_{l−1} (all relative to E‖g_0‖²).
            var gamma = backward.Gamma[l - 1]!;
            double rho2 = Dot(output, gamma, Ones(n)), cross = Dot(output, gamma, r);
            double logRho2 = backward.LogRatio[l] + Math.Log(rho2);
            double k2Prev = FiniteWidthBackward.Mean(input, k2Atom, k2!);
            total += 4 * s2 * Math.Exp(logRho2 + backward.LogRatio[l] + 2 * logK - 2 * logT) * cross
                   + 2 * s2 * s2 * Math.Exp(2 * logRho2 + 2 * logK - 2 * logT) * k2Prev;
            // κ on X_l: the atom is masked.
            double mean = FiniteWidthBackward.Mean(output, 0, nk);
            for (int i = 0; i < n; i++) { nk[i] /= mean; nk2[i] /= mean * mean; }
            kAtom = 0; k2Atom = 0;
            k = nk; k2 = nk2;
            logK += Math.Log(mean);
            law = output;
        }
        if (law is null) return 0;
        // Source g_L: K_L = E[w_L] should equal E‖g_0‖² (e^{logT}); the ratio E[w²]/E[w]² is scale-free.
        double ew2 = FiniteWidthBackward.Mean(law, k2Atom, k2!);
        return total + 3 * (ew2 - 1);
    }

    private static double[] Ones(int n) { var a = new double[n]; Array.Fill(a, 1.0); return a; }

    /// <summary>E_μ[1[x&gt;0] f g] on the output law's grid (the atom is masked).</summary>
    private static double Dot(GridLaw law, double[] f, double[] g)
    {
        var a = law.Weighted();
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * f[i] * g[i];
        return s;
    }

    /// <summary>(f μ) ∗ ϕ_σ at z_k = k h, k = 0..n−1: the step's convolution with the input weights multiplied by f.</summary>
    private static double[] Convolve(GridLaw input, double sigma, DensityGridOptions opt, int n, double fAtom, double[] f)
    {
        double h = input.Spacing;
        int band = (int)Math.Ceiling(opt.KernelSigmas * sigma / h);
        var c = new double[band + 1];
        for (int d = 0; d <= band; d++) c[d] = StdNormal.Pdf(d * h / sigma) / sigma;
        var a = input.Weighted();
        for (int i = 0; i < a.Length; i++) a[i] *= f[i];
        var g = new double[n];
        for (int k = 0; k <= Math.Min(band, n - 1); k++) g[k] += input.Atom * fAtom * c[k];
        // g_k = Σ_d c_|d| a[k − d − KLo]: one vectorized shift per tap.
        for (int d = -band; d <= band; d++)
        {
            int kMin = Math.Max(0, input.KLo + d), kMax = Math.Min(n - 1, input.KLo + a.Length - 1 + d);
            if (kMin > kMax) continue;
            var dst = g.AsSpan(kMin, kMax - kMin + 1);
            TensorPrimitives.MultiplyAdd(a.AsSpan(kMin - d - input.KLo, dst.Length), c[Math.Abs(d)], dst, dst);
        }
        return g;
    }
}
