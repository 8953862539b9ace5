using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>
/// One residual layer h_l = block(h_{l−1}) of <see cref="ResNetModule"/> as a TorchSharp module: its weights W_l (and V_l
/// for res3) as registered parameters "W" ("V"), its step τ_l, and the block's formula from <see cref="TorchBlock"/>
/// applied to inputs as rows (n × m → n × m). A normalized block (post-bn) also owns its BatchNorm module "bn" (scale γ = 1
/// and shift β = 0 at the start; always the statistics of the batch it is given: the minibatch in training, a chunk of
/// <see cref="StabilityLab.Torch.Training.TrainingOptions.EvalChunk"/> examples in evaluation).
/// </summary>
public sealed class ResidualLayer : nn.Module<Tensor, Tensor>
{
    private readonly TorchBlock _block;
    private readonly BatchNorm1d? _norm;

    public ResidualLayer(TorchBlock block, double tau, Parameter w, Parameter? v, BatchNorm1d? norm = null) : base("Residual")
    {
        if (block.HasOuterWeights != (v is not null)) throw new ArgumentException("outer weights V_l are given exactly for blocks that have them");
        if (block.IsNormalized != (norm is not null)) throw new ArgumentException("a BatchNorm module is given exactly for normalized blocks");
        _block = block;
        _norm = norm;
        Tau = tau;
        BranchWeights = w;
        OuterWeights = v;
        register_parameter("W", w);
        if (v is not null) register_parameter("V", v);
        if (norm is not null) register_module("bn", norm);
    }

    /// <summary>γ and β of the layer's BatchNorm (empty for a block without one).</summary>
    public IReadOnlyList<Parameter> NormParameters => _norm is null ? [] : [_norm.weight!, _norm.bias!];

    /// <summary>τ_l.</summary>
    public double Tau { get; }

    /// <summary>W_l (m × m).</summary>
    public Parameter BranchWeights { get; }

    /// <summary>V_l (m × m) of a res3 block, else null.</summary>
    public Parameter? OuterWeights { get; }

    public override Tensor forward(Tensor h) => Forward(h, LinearMaps.Rows);

    /// <summary>The layer with every weight applied by <paramref name="rows"/> (a rows-layout map: an observer such as
    /// the empirical NTK's records each weight's input and output; <see cref="LinearMaps.Rows"/> is the plain forward).</summary>
    public Tensor Forward(Tensor h, LinearMap rows) =>
        _norm is null ? _block.Forward(h, Tau, BranchWeights, OuterWeights, rows) : _block.Forward(h, Tau, BranchWeights, OuterWeights, rows, _norm.forward);
}
