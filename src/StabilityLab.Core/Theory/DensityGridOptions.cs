namespace StabilityLab.Theory;

/// <summary>
/// How <see cref="InfiniteWidthRecursion"/> discretizes the law of one coordinate (scaled to unit
/// second moment): grid spacing h = min(MaxSpacing, σ/PointsPerSigma) for the layer's noise σ
/// (and the previous layer's), support [0, Range] (post) or [−Range, Range] (res1), Gaussian
/// kernel cut at ±KernelSigmas·σ. The defaults give |Q_1 − closed form| &lt; 1e-9 for τ ∈ [0.01, 10].
/// </summary>
public sealed record DensityGridOptions
{
    /// <summary>Grid points per standard deviation of the layer's Gaussian kernel.</summary>
    public double PointsPerSigma { get; init; } = 8;

    /// <summary>Largest spacing (in units of √Q_l), used when the kernel is wide.</summary>
    public double MaxSpacing { get; init; } = 0.05;

    /// <summary>Half-width of the support in units of √Q_l (the law is scaled to E[Y²] = 1 every layer).</summary>
    public double Range { get; init; } = 12;

    /// <summary>The Gaussian kernel is truncated at ±KernelSigmas·σ (e^{−32} ≈ 1e-14 at 8).</summary>
    public double KernelSigmas { get; init; } = 8;

    /// <summary>
    /// Rescaling by 1/√r shrinks the spacing every layer; the grid is resampled (6-point Lagrange)
    /// only when it has become finer than the target by this factor, or coarser than the target.
    /// </summary>
    public double CoarsenFactor { get; init; } = 1.25;

    /// <summary>A grid with more points than this throws instead of running for hours.</summary>
    public int MaxPoints { get; init; } = 1 << 21;

    /// <summary>Tests only: run the per-tap reference of the correlation loop (<see cref="BandCorrelation.AddPerTap"/>).</summary>
    internal bool ReferenceKernel { get; init; }

    /// <summary>
    /// <see cref="FiniteWidthBackwardVariance"/> takes μ_{l−1} ∗ ϕ_σ from the forward step's output law (its density over √r_l)
    /// instead of convolving again: one correlation of eight saved per layer, the last bits of that factor differ.
    /// </summary>
    internal bool ReuseForwardConvolution { get; init; }

    /// <summary>
    /// Post block only: 0 for the uniform grid, else the coarse step (in grid spacings) of a two-scale grid
    /// (<see cref="TwoScaleLayout"/>, docs/finite-width.md §3); Step·h ≤ σ needs it ≤ PointsPerSigma.
    /// </summary>
    internal int TwoScaleStep { get; init; }

    public static DensityGridOptions Default { get; } = new();

    internal void Validate()
    {
        if (!(PointsPerSigma >= 1) || !(MaxSpacing > 0) || !(Range >= 4) || !(KernelSigmas >= 4) || !(CoarsenFactor > 1) || MaxPoints < 16 || TwoScaleStep < 0 || TwoScaleStep > PointsPerSigma)
            throw new ArgumentException($"bad density-grid options: {this}");
    }
}
