using StabilityLab.Models;
using StabilityLab.Spectral;

namespace StabilityLab.Torch.Spectral;

/// <summary>Where the Gram matrix of n inputs comes from.</summary>
public enum GramPath
{
    /// <summary>No Gram matrix.</summary>
    None,
    /// <summary>The same materialized networks as the block products; the NTK too.</summary>
    Dense,
    /// <summary>The exact batched sampler of Core (O(L m n²), Gaussian weights, independent draws per trial); no NTK.</summary>
    Exact,
}

/// <summary>Settings of <see cref="SpectralSampler"/>.</summary>
public sealed record SpectralOptions
{
    /// <summary>Which pairs (a, b) get an operator norm (the whole product always does).</summary>
    public PairSelection Pairs { get; init; } = PairSelection.Auto;

    /// <summary>Relative change of a norm estimate below which it counts as converged.</summary>
    public double Tolerance { get; init; } = OperatorNorm.DefaultTolerance;

    /// <summary>Lanczos step limit per norm (capped at m, where the Krylov space is complete).</summary>
    public int MaxSteps { get; init; } = OperatorNorm.DefaultMaxSteps;

    /// <summary>Inputs of the Gram matrix and NTK; null for none.</summary>
    public GramInputs? Inputs { get; init; }

    public GramPath Gram { get; init; } = GramPath.Dense;

    /// <summary>Also the NTK restricted to the block weights (dense path only).</summary>
    public bool Ntk { get; init; } = true;

    /// <summary>Also every singular value of the whole product (torch.linalg.svdvals; meant for small m).</summary>
    public bool SingularValues { get; init; }

    /// <summary>Memory for one batch of networks; sets the batch size.</summary>
    public long MemoryBudgetBytes { get; init; } = 1L << 30;

    public void Validate(NetworkSpec spec)
    {
        if (!(Tolerance > 0) || !(Tolerance < 1)) throw new SpecException($"tolerance must be in (0, 1) (got {Tolerance})");
        if (MaxSteps < 1) throw new SpecException($"the Lanczos step limit must be at least 1 (got {MaxSteps})");
        if (MemoryBudgetBytes < 1 << 20) throw new SpecException("the memory budget must be at least 1 MiB");
        if (Inputs is not null && Gram != GramPath.None && Inputs.Dim != spec.InputDim)
            throw new SpecException($"inputs have dimension {Inputs.Dim} but the network's input dimension is {spec.InputDim}");
        if (Inputs is not null && Gram == GramPath.Exact && spec.Weights != WeightLaw.Gaussian)
            throw new SpecException($"the exact Gram sampler needs Gaussian weights (got {spec.Weights.Name()}); use the dense path");
    }
}
