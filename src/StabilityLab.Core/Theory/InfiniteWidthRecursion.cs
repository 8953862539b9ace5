using StabilityLab.Models;

namespace StabilityLab.Theory;

/// <summary>
/// The infinite-width recursion of docs/science.md §3 for one input, computed deterministically by density
/// evolution (no particles):
/// post: Y_0 = (√2 ζ)_+, Y_l = (Y_{l−1} + τ_l √(2 Q_{l−1}) ξ_l)_+, Q_l = E[Y_l²];
/// res1: Y_l = Y_{l−1} + τ_l √(2 P_{l−1}) ξ_l, P_l = E[φ(Y_l)²], q_l = E[Y_l²].
/// The law is kept scaled to unit second moment (ReLU is positively homogeneous) and log Q_l is
/// accumulated, so τ = 1 at L = 4096 stays finite.
/// </summary>
public static class InfiniteWidthRecursion
{
    /// <summary>The recursion for the spec's block and τ schedule (ReLU; post or res1).</summary>
    public static InfiniteWidthCurve For(NetworkSpec spec, DensityGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Activation != Activation.Relu)
            throw new ArgumentException($"the infinite-width recursion is implemented for ReLU (got {spec.Activation.Name()})", nameof(spec));
        return spec.Block switch
        {
            BlockKind.Post => PostRelu(spec.TauSchedule(), options),
            BlockKind.Res1 => Res1Relu(spec.TauSchedule(), options),
            _ => throw new ArgumentException($"the infinite-width recursion is implemented for the post and res1 blocks (got {spec.Block.Name()})", nameof(spec)),
        };
    }

    /// <summary>
    /// Post block with ReLU: Y_l = (Y_{l−1} + τ_l √(2 Q_{l−1}) ξ_l)_+, by density evolution of the
    /// law of Y_l (an atom at 0 plus a density). Accuracy: |Q_1 − closed form| &lt; 1e-9 with default options.
    /// </summary>
    public static InfiniteWidthCurve PostRelu(IReadOnlyList<double> tau, DensityGridOptions? options = null) =>
        Evolve(tau, options ?? DensityGridOptions.Default, fold: true);

    /// <summary>
    /// res1 (pre-activation) block with ReLU: Y_l = Y_{l−1} + τ_l √(2 E[φ(Y_{l−1})²]) ξ_l, Y_0 = (√2 ζ)_+,
    /// by density evolution (no fold: the law is a density on ℝ after the first layer).
    /// </summary>
    public static InfiniteWidthCurve Res1Relu(IReadOnlyList<double> tau, DensityGridOptions? options = null) =>
        Evolve(tau, options ?? DensityGridOptions.Default, fold: false);

    /// <summary>
    /// res1 with ReLU, exactly: the noises are independent Gaussians, so Y_l = Y_0 + √S_l ξ with
    /// S_l = S_{l−1} + 2τ_l² P(S_{l−1}), P(S) = E[(Y_0 + √S ξ)_+²] = Q_1(τ = √(S/2)) (the post block's
    /// closed form), and q_l = 1 + S_l. Proves q_1 = 1 + 2τ_1², not 1 + τ_1² (see <see cref="Res1ClosedRecursion"/>).
    /// </summary>
    public static InfiniteWidthCurve Res1ReluExact(IReadOnlyList<double> tau) => Res1GaussianSum.Evolve(tau);

    /// <summary>
    /// The res1 recursion as docs/science.md §3 states it, q_l = q_{l−1}(1 + τ_l²), i.e. log(q_l/q_0) =
    /// Σ_{k≤l} log1p(τ_k²) (index l = 0..L). It assumes E[φ(Y)²] = E[Y²]/2 (a symmetric law), which
    /// fails for h_0 = φ(Ax) ≥ 0: compare with <see cref="Res1ReluExact"/>.
    /// </summary>
    public static double[] Res1ClosedRecursion(IReadOnlyList<double> tau)
    {
        TauSchedules.Check(tau);
        var r = new double[tau.Count + 1];
        for (int l = 1; l <= tau.Count; l++) r[l] = r[l - 1] + StdNormal.Log1p(tau[l - 1] * tau[l - 1]);
        return r;
    }

    private static InfiniteWidthCurve Evolve(IReadOnlyList<double> tau, DensityGridOptions opt, bool fold)
    {
        TauSchedules.Check(tau);
        opt.Validate();
        int depth = tau.Count;
        var logQ = new double[depth + 1];
        var atom = new double[depth + 1];
        var positive = new double[depth + 1];
        var noise = new double[depth + 1];
        noise[0] = 5; // Var(Y_0²) = E[Y_0⁴] − 1 = 6 − 1 for Y_0 = (√2ζ)_+

        // σ_l in units of √(current second moment): √2 τ_l for post, τ_l √(2 E[X_+²]) for res1 (≤ √2 τ_l).
        double Spacing(double sigma, double sigmaPrev)
        {
            double h = opt.MaxSpacing;
            if (sigma > 0) h = Math.Min(h, sigma / opt.PointsPerSigma);
            if (sigmaPrev > 0) h = Math.Min(h, sigmaPrev / opt.PointsPerSigma);
            return h;
        }

        var law = GridLaw.ReluOfGaussian(Spacing(Math.Sqrt(2) * tau[0], 0), opt.Range);
        atom[0] = law.Atom;
        positive[0] = 1;
        double maxMass = 0, maxMoment = 0, minSpacing = law.Spacing;
        int maxPoints = law.Count, resamples = 0;
        Track(law);
        double prevSigma = 0;
        for (int l = 1; l <= depth; l++)
        {
            double sigma;
            if (fold)
            {
                sigma = Math.Sqrt(2) * tau[l - 1];
            }
            else
            {
                var (_, m2, m2p) = law.Moments();
                sigma = tau[l - 1] * Math.Sqrt(2 * m2p / m2);
            }
            if (sigma == 0)
            {
                // τ_l = 0: Y_l = Y_{l−1} in both blocks (the post block's Y is already ≥ 0); noise[l] = 0.
                logQ[l] = logQ[l - 1];
                atom[l] = atom[l - 1];
                positive[l] = positive[l - 1];
                continue;
            }
            double target = Spacing(sigma, prevSigma);
            if (law.Spacing > target * (1 + 1e-9))
            {
                // Too coarse for this layer's kernel: refine a little beyond the target, so that a slowly
                // shrinking τ_l (per-layer rules) does not force a resample at every layer.
                law = law.Resample(target / Math.Sqrt(opt.CoarsenFactor));
                resamples++;
            }
            else if (law.Spacing * opt.CoarsenFactor < target)
            {
                // The 1/√r rescaling has made the grid finer than needed: coarsen back to the target.
                law = law.Resample(target);
                resamples++;
            }
            var step = DensityEvolution.Step(law, sigma, fold, opt);
            law = step.Next;
            logQ[l] = logQ[l - 1] + step.LogRatio;
            atom[l] = law.Atom;
            noise[l] = step.NoiseVariance;
            var (_, n2, n2p) = Track(law);
            positive[l] = fold ? 1 : n2p / n2;
            prevSigma = sigma;
        }
        var diag = new DensityGridDiagnostics(maxMass, maxMoment, maxPoints, minSpacing, resamples);
        return new InfiniteWidthCurve(fold ? BlockKind.Post : BlockKind.Res1, logQ, atom, positive, noise, diag);

        (double Mass, double M2, double M2p) Track(GridLaw g)
        {
            var m = g.Moments();
            maxMass = Math.Max(maxMass, Math.Abs(m.Mass - 1));
            maxMoment = Math.Max(maxMoment, Math.Abs(m.SecondMoment - 1));
            maxPoints = Math.Max(maxPoints, g.Count);
            minSpacing = Math.Min(minSpacing, g.Spacing);
            return m;
        }
    }
}
