using StabilityLab.Models;
using StabilityLab.Spectral;

namespace StabilityLab.Torch.Spectral;

/// <summary>
/// A spectral study: the networks of every (depth, τ rule) cell, with the trials, seed, Gram inputs and the
/// settings of <see cref="SpectralSampler"/> shared by all cells.
/// </summary>
public sealed record SpectralStudySpec(
    IReadOnlyList<NetworkSpec> Cells, IReadOnlyList<int> Depths, IReadOnlyList<TauRule> Rules, int Trials, ulong Seed, int Inputs,
    GramPath Gram, PairSelection Pairs, double Tolerance, int MaxSteps, bool Svd, bool Raw, long MemoryBytes, string? CommandLine = null)
{
    /// <summary>The largest width for which the singular values are accepted (torch.linalg.svdvals of an m × m product per trial).</summary>
    public const int MaxSvdWidth = 1024;

    /// <summary>The generator of a study's own draws (its Gram inputs and the exact Gram path's networks): Philox, the same
    /// bits on every CPU; recorded in the manifest's spec. The dense path draws with libtorch's generator.</summary>
    public const Randomness.RandomGenerator Generator = Randomness.RandomGenerator.Philox;

    /// <summary>The n inputs of the Gram matrix and NTK (uniform on the unit sphere, a function of the seed); null for none.</summary>
    public GramInputs? GramInputs { get; } = Inputs > 0 && Gram != GramPath.None ? GramInputs.RandomSphere(Seed, Inputs, Cells[0].InputDim, Generator) : null;

    /// <summary>depths × τ rules of one network template, depth-major (the order of spectra.csv); each spec is validated as it is built.</summary>
    public static List<NetworkSpec> Grid(int width, IEnumerable<int> depths, IReadOnlyList<TauRule> rules, BlockKind block = BlockKind.Post,
        Activation activation = Activation.Relu, WeightLaw weights = WeightLaw.Gaussian, int inputDim = 10, int outputDim = 1) =>
        depths.SelectMany(L => rules.Select(rule => new NetworkSpec(width, L, rule, block, activation, weights, inputDim, outputDim))).ToList();

    public SpectralOptions Options => new()
    {
        Pairs = Pairs,
        Tolerance = Tolerance,
        MaxSteps = MaxSteps,
        Inputs = GramInputs,
        Gram = Gram,
        Ntk = Gram == GramPath.Dense,
        SingularValues = Svd,
        MemoryBudgetBytes = MemoryBytes,
    };

    /// <summary>Throws <see cref="SpecException"/> for the first cell the sampler cannot run.</summary>
    public void Validate()
    {
        foreach (var c in Cells)
        {
            c.Block.RequireSampled();
            Options.Validate(c);
        }
    }
}
