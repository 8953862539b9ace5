using StabilityLab.Models;

namespace StabilityLab.Torch.Training;

/// <summary>Which weights gradient descent moves.</summary>
public enum TrainedParameters
{
    /// <summary>Only the residual weights W_1..W_L (and V_1..V_L for res3); A and B stay at their initial values (the theory).</summary>
    Hidden,
    /// <summary>A, every W_l (and V_l), and B.</summary>
    All,
}

/// <summary>Text names used by the CLI, CSV files and manifests.</summary>
public static class TrainingNames
{
    public static string Name(this TrainedParameters t) => t switch
    {
        TrainedParameters.Hidden => "w",
        TrainedParameters.All => "all",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static TrainedParameters ParseTrained(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "w" or "hidden" => TrainedParameters.Hidden,
        "all" => TrainedParameters.All,
        _ => throw new SpecException($"unknown trained-parameter set '{text}' (expected w or all)"),
    };
}
