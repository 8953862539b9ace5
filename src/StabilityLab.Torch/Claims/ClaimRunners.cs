using StabilityLab.Claims;

namespace StabilityLab.Torch.Claims;

/// <summary>The interpreters of the claim kinds that need TorchSharp: training (<see cref="TrainingClaims"/>) and block products (<see cref="SpectralClaims"/>).</summary>
public static class ClaimRunners
{
    public static IReadOnlyList<IClaimRunner> All { get; } = [new TrainingClaims(), new SpectralClaims()];
}
