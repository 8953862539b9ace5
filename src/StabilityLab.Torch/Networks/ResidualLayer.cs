using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>
/// One residual layer h_l = block(h_{l−1}) of <see cref="ResNetModule"/> as a TorchSharp module: its weights W_l (and V_l
/// for res3) as registered parameters "W" ("V"), its step τ_l, and the block's formula from <see cref="TorchBlock"/>
/// applied to inputs as rows (n × m → n × m).
/// </summary>
public sealed class ResidualLayer : nn.Module<Tensor, Tensor>
{
    private readonly TorchBlock _block;

    public ResidualLayer(TorchBlock block, double tau, Parameter w, Parameter? v) : base("Residual")
    {
        if (block.HasOuterWeights != (v is not null)) throw new ArgumentException("outer weights V_l are given exactly for blocks that have them");
        _block = block;
        Tau = tau;
        BranchWeights = w;
        OuterWeights = v;
        register_parameter("W", w);
        if (v is not null) register_parameter("V", v);
    }

    /// <summary>τ_l.</summary>
    public double Tau { get; }

    /// <summary>W_l (m × m).</summary>
    public Parameter BranchWeights { get; }

    /// <summary>V_l (m × m) of a res3 block, else null.</summary>
    public Parameter? OuterWeights { get; }

    public override Tensor forward(Tensor h) => Forward(h, LinearMaps.Rows);

    /// <summary>The layer with every weight applied by <paramref name="rows"/> (a rows-layout map: an observer such as
    /// the empirical NTK's records each weight's input and output; <see cref="LinearMaps.Rows"/> is the plain forward).</summary>
    public Tensor Forward(Tensor h, LinearMap rows) => _block.Forward(h, Tau, BranchWeights, OuterWeights, rows);
}
