namespace StabilityLab.Theory;

/// <summary>
/// The infinite-width path of the post-activation ReLU block kept layer by layer for the finite-width theory
/// (docs/finite-width.md §2): the law μ_{l−1} that entered layer l (after any regridding), the noise σ_l = √2 τ_l,
/// log r_l = log(Q_l/Q_{l−1}), the fresh-noise variance ν_l = E[Var((X+σξ)_+² | X)]/r_l², and the grid on which
/// the output law was produced (the Z grid, before its regridding for layer l+1). The backward recursion of
/// <see cref="FiniteWidthBackward"/> runs over these layers in reverse.
/// </summary>
internal sealed class FiniteWidthLayers
{
    private FiniteWidthLayers(GridLaw[] input, GridLaw[] output, double[] sigma, double[] logR, double[] noise, DensityGridOptions options)
    {
        Input = input;
        Output = output;
        Sigma = sigma;
        LogR = logR;
        Noise = noise;
        Options = options;
    }

    /// <summary>Input[l−1]: the law of X_{l−1} as fed to layer l (null where τ_l = 0, and everywhere without keepLaws).</summary>
    public GridLaw?[] Input { get; }

    /// <summary>Output[l−1]: the law of X_l as produced by layer l (null where τ_l = 0, and everywhere without keepLaws).</summary>
    public GridLaw?[] Output { get; }

    public double[] Sigma { get; }

    public double[] LogR { get; }

    public double[] Noise { get; }

    public DensityGridOptions Options { get; }

    public int Depth => Sigma.Length;

    /// <summary>The most grid points of any stored law (the size of the backward passes' working vectors).</summary>
    public int MaxCount
    {
        get
        {
            int max = 0;
            for (int l = 0; l < Depth; l++) max = Math.Max(max, Math.Max(Input[l]?.Count ?? 0, Output[l]?.Count ?? 0));
            return max;
        }
    }

    /// <summary>
    /// The grid the theory uses: 4 points per σ and kernels cut at 7σ. The Gaussian-kernel trapezoid sums stay
    /// accurate to e^{−2π²·16} and Gregory's end rule handles the jump at 0, so log Q moves by less than 1e-5
    /// against the 8-points default (checked in the tests) at a quarter of the points.
    /// </summary>
    public static DensityGridOptions TheoryGrid { get; } = new() { PointsPerSigma = 4, KernelSigmas = 7 };

    /// <summary>2 points per σ: half the memory, a quarter of the time; moments within 1e-3 of <see cref="TheoryGrid"/>
    /// (measured at L = 64…1024, τ = 0.0023…0.0625). One point per σ is not enough (errors of 0.01 at small τ).</summary>
    public static DensityGridOptions CoarseGrid { get; } = new() { PointsPerSigma = 2, KernelSigmas = 7 };

    /// <summary>
    /// The grid of large cells (docs/finite-width.md §3, §8): <see cref="TheoryGrid"/> on the support [0, 10] instead of
    /// [0, 12] (the density of (√2ζ)_+ is e^{−25} at 10), 5/6 of the points, and the backward variance reusing the forward
    /// step's convolution (<see cref="DensityGridOptions.ReuseForwardConvolution"/>); every moment within 2e-9 (uniform; 1e-5 on its two-scale points) of
    /// <see cref="TheoryGrid"/> on the quick grid (test <c>FiniteWidthFastGridTests</c>). Coarser choices are not within
    /// 1e-3: 3 points per σ moves the forward mean by 4e-2 at L = 4096, τ = 0.082 (the boundary quadrature at the ReLU
    /// jump, ≈ h⁴ per layer), a kernel cut at 6σ by 4e-3 at L = 4096, τ = 1.
    /// </summary>
    /// <remarks>Where the spacing is σ/4 it runs on the two-scale point set (<see cref="TwoScalePartition"/>,
    /// <see cref="TwoScaleLayout"/>): every moment within 1e-4 of the uniform grid (test <c>FiniteWidthTwoScaleGridTests</c>).</remarks>
    public static DensityGridOptions FastGrid { get; } = TheoryGrid with { Range = 10, ReuseForwardConvolution = true, TwoScaleStep = 3 };

    /// <summary><see cref="FastGrid"/> at 2 points per σ, for cells where that would exceed 4·10⁷ points: small τ, where the
    /// boundary error is small (as <see cref="CoarseGrid"/>; 8.5e-5 from <see cref="TheoryGrid"/> at L = 4096, τ = 0.0033).</summary>
    public static DensityGridOptions FastCoarseGrid { get; } = FastGrid with { PointsPerSigma = 2, TwoScaleStep = 0 };

    /// <summary>
    /// The partition scale (lattice steps) of the two-scale grid for this schedule, or null for the uniform grid: S =
    /// <see cref="TwoScaleLayout.PartitionWidth"/>·Step where every layer's spacing is σ/PointsPerSigma; uniform when the grid is
    /// off or some layer's spacing is capped at MaxSpacing below σ/PointsPerSigma (τ &gt; 0.141 on <see cref="FastGrid"/>). There
    /// the uniform grid has at most 1.25·Range/MaxSpacing (250) points a layer anyway, and the two-scale one (its fine part widened)
    /// missed the 1e-4 tolerance: 2.7e-4 (infinite-width backward) at L = 4096, τ = 0.19, 1.6e-4 at L = 8192, τ = 0.15
    /// (docs/finite-width.md §3).
    /// </summary>
    internal static double? TwoScalePartition(IReadOnlyList<double> tau, DensityGridOptions opt)
    {
        if (opt.TwoScaleStep <= 0) return null;
        double sigmaMax = Math.Sqrt(2) * tau.Max();
        if (sigmaMax / opt.PointsPerSigma > opt.MaxSpacing) return null;
        return TwoScaleLayout.PartitionWidth * opt.TwoScaleStep;
    }

    /// <summary>Number of grid points times layers the evolution would store (the memory it needs).</summary>
    public static double StoredPoints(IReadOnlyList<double> tau, DensityGridOptions options)
    {
        double total = 0;
        foreach (var t in tau)
        {
            double sigma = Math.Sqrt(2) * t;
            double h = sigma > 0 ? Math.Min(options.MaxSpacing, sigma / options.PointsPerSigma) : options.MaxSpacing;
            total += 2 * options.Range / h;
        }
        return total;
    }

    /// <summary>
    /// Density evolution of the post ReLU block (docs/science.md §3), keeping every layer's laws, or (keepLaws: false)
    /// only log r_l and ν_l, in memory of one layer.
    /// </summary>
    public static FiniteWidthLayers Evolve(IReadOnlyList<double> tau, DensityGridOptions? options = null, bool keepLaws = true)
    {
        TauSchedules.Check(tau);
        var opt = options ?? TheoryGrid;
        opt.Validate();
        int depth = tau.Count;
        var input = new GridLaw[depth];
        var output = new GridLaw[depth];
        var sigma = new double[depth];
        var logR = new double[depth];
        var noise = new double[depth];
        double Spacing(double s) => s > 0 ? Math.Min(opt.MaxSpacing, s / opt.PointsPerSigma) : opt.MaxSpacing;
        double? scale = TwoScalePartition(tau, opt);
        var law = scale is { } sc ? GridLaw.ReluOfGaussian(Spacing(Math.Sqrt(2) * tau[0]), opt.Range, opt.TwoScaleStep, sc)
            : GridLaw.ReluOfGaussian(Spacing(Math.Sqrt(2) * tau[0]), opt.Range);
        double prev = 0;
        for (int l = 1; l <= depth; l++)
        {
            double s = Math.Sqrt(2) * tau[l - 1];
            sigma[l - 1] = s;
            if (s == 0) continue; // Y_l = Y_{l−1}: nothing stored, log r = 0, ν = 0
            double target = Math.Min(Spacing(s), prev > 0 ? Spacing(prev) : double.MaxValue);
            if (law.Spacing > target * (1 + 1e-9)) law = law.Resample(target / Math.Sqrt(opt.CoarsenFactor));
            else if (law.Spacing * opt.CoarsenFactor < target) law = law.Resample(target);
            var step = DensityEvolution.Step(law, s, fold: true, opt);
            if (keepLaws)
            {
                input[l - 1] = law;
                output[l - 1] = step.Next;
            }
            logR[l - 1] = step.LogRatio;
            noise[l - 1] = step.NoiseVariance;
            law = step.Next;
            prev = s;
        }
        return new FiniteWidthLayers(input, output, sigma, logR, noise, opt);
    }
}
