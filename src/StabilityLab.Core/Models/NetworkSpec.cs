namespace StabilityLab.Models;

/// <summary>
/// One description of the network of docs/science.md §1, read by every back-end (exact sampler,
/// dense sampler, theory, trainer):
/// h_0 = φ(A x), h_l = block_l(h_{l-1}) for l = 1..L, y = B h_L, F = ½‖y − y*‖² with y* = 0.
/// A ~ N(0, 2/m), W_l ~ N(0, 2/m), B ~ N(0, 1/d) entrywise (or uniform of equal variance).
/// </summary>
public sealed record NetworkSpec
{
    public NetworkSpec(int width, int depth, TauRule tau,
        BlockKind block = BlockKind.Post, Activation activation = Activation.Relu,
        WeightLaw weights = WeightLaw.Gaussian, int inputDim = 10, int outputDim = 1)
    {
        Width = width;
        Depth = depth;
        Tau = tau;
        Block = block;
        Activation = activation;
        Weights = weights;
        InputDim = inputDim;
        OutputDim = outputDim;
        Validate();
    }

    /// <summary>Width m of every hidden layer.</summary>
    public int Width { get; init; }

    /// <summary>Number of residual blocks L.</summary>
    public int Depth { get; init; }

    public TauRule Tau { get; init; }

    public BlockKind Block { get; init; }

    public Activation Activation { get; init; }

    public WeightLaw Weights { get; init; }

    /// <summary>Input dimension p (inputs have unit norm).</summary>
    public int InputDim { get; init; }

    /// <summary>Output dimension d.</summary>
    public int OutputDim { get; init; }

    /// <summary>τ_1..τ_L for this spec.</summary>
    public double[] TauSchedule() => Tau.Schedule(Depth);

    /// <summary>Throws <see cref="SpecException"/> naming the first bad field.</summary>
    /// <summary>The deepest network any sampler takes: beyond it a single trial's arrays (16·m·L bytes at m = 1) no longer fit one machine.</summary>
    public const int MaxDepth = 100_000_000;

    public void Validate()
    {
        if (Width < 1) throw new SpecException($"width must be at least 1 (got {Width})");
        if (Depth < 1) throw new SpecException($"depth must be at least 1 (got {Depth})");
        if (Depth > MaxDepth) throw new SpecException($"depth must be at most {MaxDepth} (got {Depth})");
        if (InputDim < 1) throw new SpecException($"input dimension must be at least 1 (got {InputDim})");
        if (OutputDim < 1) throw new SpecException($"output dimension must be at least 1 (got {OutputDim})");
        if (Tau is null) throw new SpecException("τ rule is missing");
        // τ > 0 and finite at every layer.
        Tau.Check(Depth);
    }
}
