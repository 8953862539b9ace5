namespace StabilityLab.Models;

/// <summary>
/// The initialization of docs/science.md §1, the one place every sampler and trainer (Core and Torch) reads it:
/// entries of A (m × p) and of every W_l, V_l (m × m) have variance 2/m, entries of B (d × m) variance 1/d;
/// Gaussian, or uniform on [−√(3v), √(3v)] for <see cref="WeightLaw.Uniform"/> (the same variance v).
/// </summary>
public static class WeightInit
{
    /// <summary>Variance 2/m of the entries of the input layer A.</summary>
    public static double InputVariance(this NetworkSpec spec) => BranchVariance(spec.Width);

    /// <summary>Variance 2/m of the entries of the residual weights W_l and V_l.</summary>
    public static double BranchVariance(this NetworkSpec spec) => BranchVariance(spec.Width);

    /// <summary>Variance 1/d of the entries of the output layer B.</summary>
    public static double OutputVariance(this NetworkSpec spec) => 1.0 / spec.OutputDim;

    /// <summary>2/m for width m (He initialization of a ReLU layer).</summary>
    public static double BranchVariance(int width) => 2.0 / width;

    /// <summary>Half-width a = √(3v) of the uniform law on [−a, a] with variance v.</summary>
    public static double UniformHalfWidth(double variance) => Math.Sqrt(3 * variance);
}
