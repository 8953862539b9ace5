using StabilityLab.Models;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>
/// The TorchSharp interpreter of one residual block h_l = block(h_{l−1}) of docs/science.md §1, the only place its
/// formulas live: the forward map in any layout (<see cref="LinearMap"/>), its Jacobian ∂h_l/∂h_{l−1}, and the
/// backward step of the NTK. Every block has the weights W_l; res3 also V_l (<see cref="HasOuterWeights"/>).
/// One implementation per block kind, each in its own file (<see cref="PostBlock"/>, <see cref="Res1Block"/>,
/// <see cref="Res3Block"/>, <see cref="PostBnBlock"/>), chosen by <see cref="For"/>.
/// </summary>
public abstract class TorchBlock
{
    protected TorchBlock(Activation activation) => Activation = activation;

    public Activation Activation { get; }

    /// <summary>True when the block has a second weight matrix V_l (res3).</summary>
    public abstract bool HasOuterWeights { get; }

    /// <summary>True when the block normalizes its branch (post-bn): its layer owns a BatchNorm module.</summary>
    public virtual bool IsNormalized => false;

    /// <summary>The interpreter of the spec's block with the spec's φ.</summary>
    public static TorchBlock For(NetworkSpec spec) => spec.Block switch
    {
        BlockKind.Post => new PostBlock(spec.Activation),
        BlockKind.Res1 => new Res1Block(spec.Activation),
        BlockKind.Res3 => new Res3Block(spec.Activation),
        BlockKind.PostBn => new PostBnBlock(spec.Activation),
        _ => throw new InvalidOperationException($"block {spec.Block} has no TorchSharp interpreter"),
    };

    /// <summary>h_l from h_{l−1} = <paramref name="h"/> with step τ_l = <paramref name="tau"/>, in the layout of <paramref name="apply"/>.</summary>
    public abstract Tensor Forward(Tensor h, double tau, Tensor w, Tensor? v, LinearMap apply);

    /// <summary>The same with the layer's normalization of the branch (<paramref name="norm"/>, null for a block without one).</summary>
    public virtual Tensor Forward(Tensor h, double tau, Tensor w, Tensor? v, LinearMap apply, Func<Tensor, Tensor>? norm) => Forward(h, tau, w, v, apply);

    /// <summary>
    /// For T networks' hidden vectors h (T × m) and weights T × m × m: h_l and the Jacobian J_l = ∂h_l/∂h_{l−1} (T × m × m);
    /// <paramref name="eye"/> is the m × m identity.
    /// </summary>
    public abstract (Tensor Next, Tensor Jacobian) Linearize(Tensor h, double tau, Tensor w, Tensor? v, Tensor eye);

    /// <summary>
    /// One backward step for n inputs as columns (h = H_{l−1}, T × m × n) given G = ∂f/∂h_l (T × m × n): the n × n Gram
    /// matrix over inputs of the weight gradients, Σ ⟨∂f_i/∂W, ∂f_j/∂W⟩ over the block's weights divided by τ², and ∂f/∂h_{l−1}.
    /// </summary>
    public abstract (Tensor WeightGram, Tensor Previous) Backward(Tensor h, double tau, Tensor w, Tensor? v, Tensor g);

    protected Tensor Phi(Tensor u) => TorchActivation.Apply(Activation, u);

    protected Tensor PhiPrime(Tensor u) => TorchActivation.Derivative(Activation, u);

    /// <summary>XᵀX per network (T × n × n) for columns X (T × m × n).</summary>
    protected static Tensor Gram(Tensor x) => bmm(x.transpose(1, 2), x);

    protected static Tensor Outer(Tensor? v, string block) =>
        v ?? throw new ArgumentNullException(nameof(v), $"a {block} block needs its outer weights V_l");
}
