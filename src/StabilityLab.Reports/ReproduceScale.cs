using StabilityLab.Claims;
using StabilityLab.Models;
using StabilityLab.Sweeps;
using StabilityLab.Spectral;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Spectral;
using StabilityLab.Torch.Training;

namespace StabilityLab.Reports;

/// <summary>
/// The sizes of one reproduction. <c>quick</c> finishes in minutes on a 2-core laptop;
/// <c>paper</c> is the paper scale (width 512, L = 16..4096 in factors of 2, 33 values of β, 1000 trials). The stability
/// claims and their sizes are the scale's claims file (<see cref="Claims"/>); the rest are the training and spectral studies.
/// </summary>
public sealed record ReproduceScale(string Name,
    int[] TrainDepths, int TrainSeeds, int TrainSteps, int SpectrumWidth, string SpectrumDepths, int SpectrumTrials)
{
    public static ReproduceScale Quick { get; } = new("quick", [4, 16, 64], 2, 300, 64, "4..64x2", 8);
    public static ReproduceScale Paper { get; } = new("paper", [4, 8, 16, 32, 64, 128, 256], 3, 500, 128, "4..256x2", 16);

    /// <summary>
    /// The spectral study of claim 1: block-product operator norms (all pairs up to L = 64, a sample beyond) and the
    /// Gram matrix of 8 inputs, at τ = 1/√L and τ = L^−1/4; the other settings are those of `stabilitylab spectrum`.
    /// </summary>
    public SpectralStudySpec SpectralStudy(ulong seed)
    {
        var depths = GridValues.ParseIntegers(SpectrumDepths, "depth").Distinct().ToArray();
        TauRule[] rules = [TauRule.Parse("1/sqrt(L)"), TauRule.Parse("L^-0.25")];
        return new SpectralStudySpec(SpectralStudySpec.Grid(SpectrumWidth, depths, rules), depths, rules, SpectrumTrials, seed, Inputs: 8,
            GramPath.Dense, PairSelection.Auto, OperatorNorm.DefaultTolerance, OperatorNorm.DefaultMaxSteps, Svd: false, Raw: false, MemoryBytes: 1024L << 20,
            CommandLine: $"stabilitylab spectrum --width {SpectrumWidth} --depth {SpectrumDepths} --tau 1/sqrt(L) --tau L^-0.25 --trials {SpectrumTrials} --seed {seed} --inputs 8 --pairs auto --threads 1");
    }

    public static ReproduceScale Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "quick" => Quick,
        "paper" => Paper,
        _ => throw new SpecException($"unknown scale '{name}' (expected quick or paper)"),
    };

    /// <summary>The claims file of this scale (claims/zhang2022.json or claims/zhang2022-paper.json, shipped inside the tool).</summary>
    public string ClaimsFileName => Name == "quick" ? "zhang2022.json" : $"zhang2022-{Name}.json";

    /// <summary>The claims of this scale, read from the copy embedded in the tool.</summary>
    public ClaimsFile Claims()
    {
        using var stream = typeof(ReproduceScale).Assembly.GetManifestResourceStream("claims/" + ClaimsFileName)
            ?? throw new InvalidOperationException($"claims/{ClaimsFileName} is not embedded in this build");
        using var reader = new StreamReader(stream);
        return ClaimsFile.Parse(reader.ReadToEnd(), "claims/" + ClaimsFileName);
    }

    /// <summary>
    /// The training study of claim 4: full-batch gradient descent on n = 32 unit inputs in R^16 with
    /// random targets, width 256 (8n, training stays near the initialization), W trained, one step
    /// size η = 1e-4 for every depth and for τ = 1/√L and τ = 1/L (the control: the scaling of the earlier
    /// global-convergence analyses, whose NTK shrinks like 1/L, so its rate must fall with depth).
    /// </summary>
    public TrainingStudySpec TrainingStudy(ulong seed) => new(
        Network: new NetworkSpec(256, TrainDepths[0], TauRule.Parse("1/sqrt(L)"), inputDim: 16, outputDim: 1),
        Depths: TrainDepths,
        TauRules: [TauRule.Parse("1/sqrt(L)"), TauRule.Parse("1/L")],
        Seeds: Enumerable.Range(0, TrainSeeds).Select(i => seed + (ulong)i).ToArray(),
        StepSizes: [1e-4],
        Data: new SyntheticData(32, 16, 1, TargetKind.Random),
        Options: new TrainingOptions { Steps = TrainSteps, StepSize = 1e-4, Precision = TorchSharp.torch.ScalarType.Float64 });
}
