namespace StabilityLab.Models;

/// <summary>The residual block (docs/science.md §1).</summary>
public enum BlockKind
{
    /// <summary>The paper's post-activation block: h_l = φ(h_{l-1} + τ W_l h_{l-1}).</summary>
    Post,
    /// <summary>Pre-activation, one layer in the branch: h_l = h_{l-1} + τ W_l φ(h_{l-1}).</summary>
    Res1,
    /// <summary>Two-layer branch: h_l = h_{l-1} + τ V_l φ(W_l h_{l-1}).</summary>
    Res3,
}

/// <summary>The nonlinearity φ.</summary>
public enum Activation
{
    Relu,
    Tanh,
    Identity,
}

/// <summary>The law of the weight entries; every law has the variance of the paper's init.</summary>
public enum WeightLaw
{
    Gaussian,
    /// <summary>Uniform on [−√(3v), √(3v)], the same variance v as the Gaussian.</summary>
    Uniform,
}

/// <summary>Text names of the enums, used by the CLI, CSV files and manifests.</summary>
public static class ModelNames
{
    public static string Name(this BlockKind b) => b switch
    {
        BlockKind.Post => "post",
        BlockKind.Res1 => "res1",
        BlockKind.Res3 => "res3",
        _ => throw new ArgumentOutOfRangeException(nameof(b)),
    };

    public static string Name(this Activation a) => a switch
    {
        Activation.Relu => "relu",
        Activation.Tanh => "tanh",
        Activation.Identity => "identity",
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    public static string Name(this WeightLaw w) => w switch
    {
        WeightLaw.Gaussian => "gaussian",
        WeightLaw.Uniform => "uniform",
        _ => throw new ArgumentOutOfRangeException(nameof(w)),
    };

    public static BlockKind ParseBlock(string text) => Parse(text, "block", Enum.GetValues<BlockKind>(), Name);

    public static Activation ParseActivation(string text) => Parse(text, "activation", Enum.GetValues<Activation>(), Name);

    public static WeightLaw ParseWeightLaw(string text) => Parse(text, "weight law", Enum.GetValues<WeightLaw>(), Name);

    private static T Parse<T>(string text, string what, T[] values, Func<T, string> name)
    {
        var t = (text ?? "").Trim().ToLowerInvariant();
        foreach (var v in values)
            if (name(v) == t) return v;
        throw new SpecException($"unknown {what} '{text}' (expected one of: {string.Join(", ", values.Select(name))})");
    }
}
