using StabilityLab.Claims;
using StabilityLab.Torch.Training;

namespace StabilityLab.Torch.Claims;

/// <summary>The interpreters of the claim kinds that need TorchSharp: training (<see cref="TrainingClaims"/>) and block products (<see cref="SpectralClaims"/>).</summary>
public static class ClaimRunners
{
    public static IReadOnlyList<IClaimRunner> All { get; } = [new TrainingClaims(), new SpectralClaims()];

    /// <summary>The same, with the training studies trained in worker processes when more than one thread is allowed
    /// (<see cref="TrainingWorkers"/>; <paramref name="command"/> starts this tool).</summary>
    public static IReadOnlyList<IClaimRunner> WithWorkers(IReadOnlyList<string> command) =>
        [new TrainingClaims(new TrainingWorkers(command)), new SpectralClaims()];
}
