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
    /// <summary>The post block with BatchNorm in the branch, as the paper's ResNet + BN (docs/science.md §2, claim 5):
    /// h_l = φ(h_{l-1} + τ BN(W_l h_{l-1})). BatchNorm couples the examples of a batch, so only the trainer interprets it.</summary>
    PostBn,
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
        BlockKind.PostBn => "post-bn",
        _ => throw new ArgumentOutOfRangeException(nameof(b)),
    };

    /// <summary>True for a block with BatchNorm in its branch (post-bn): trained only, never sampled.</summary>
    public static bool IsNormalized(this BlockKind b) => b == BlockKind.PostBn;

    /// <summary>Refuses a block the samplers and the theory cannot interpret (post-bn: BatchNorm's batch statistics
    /// couple the examples, so a network's output for one input is not defined without its batch).</summary>
    public static void RequireSampled(this BlockKind b)
    {
        if (b.IsNormalized())
            throw new SpecException($"block {b.Name()} (BatchNorm in the branch) is trained only: use it with train or a training claim; the samplers and the theory interpret post, res1 and res3");
    }

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
