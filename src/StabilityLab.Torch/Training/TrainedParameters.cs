using StabilityLab.Models;
using StabilityLab.Torch.Networks;
using TorchSharp.Modules;

namespace StabilityLab.Torch.Training;

/// <summary>Which weights gradient descent moves.</summary>
public enum TrainedParameters
{
    /// <summary>Only the residual weights W_1..W_L (and V_1..V_L for res3); A and B stay at their initial values (the theory).</summary>
    Hidden,
    /// <summary>A, every W_l (and V_l), the BatchNorm scales and shifts of a post-bn block, and B.</summary>
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

/// <summary>The choice of trained weights applied to a <see cref="ResNetModule"/>.</summary>
public static class TrainedParameterSets
{
    /// <summary>Marks the chosen weights as trainable (requires_grad) and the others as fixed; returns the trainable ones.</summary>
    public static IReadOnlyList<Parameter> SetTrained(this ResNetModule model, TrainedParameters which)
    {
        bool all = which == TrainedParameters.All;
        model.InputWeights.requires_grad = all;
        model.OutputWeights.requires_grad = all;
        for (int l = 1; l <= model.Spec.Depth; l++)
            foreach (var p in model.NormParameters(l)) p.requires_grad = all;
        var hidden = model.Trained(TrainedParameters.Hidden);
        foreach (var w in hidden) w.requires_grad = true;
        return model.Trained(which);
    }

    /// <summary>The parameters of <paramref name="which"/>, in the order A, W_1, V_1, …, W_L, V_L, B (all: each block's γ_l, β_l after its W_l).</summary>
    public static IReadOnlyList<Parameter> Trained(this ResNetModule model, TrainedParameters which)
    {
        var list = new List<Parameter>();
        if (which == TrainedParameters.All) list.Add(model.InputWeights);
        for (int l = 1; l <= model.Spec.Depth; l++)
        {
            list.Add(model.BranchWeights(l));
            if (model.Spec.Block == BlockKind.Res3) list.Add(model.SecondBranchWeights(l));
            if (which == TrainedParameters.All) list.AddRange(model.NormParameters(l));
        }
        if (which == TrainedParameters.All) list.Add(model.OutputWeights);
        return list;
    }
}
