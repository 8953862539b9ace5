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

    /// <summary>True for the blocks that have the explicit gradient-descent interpreter (<see cref="ExplicitForward"/> and
    /// <see cref="ExplicitBackward"/>); post-bn has none (its BatchNorm trains by autograd).</summary>
    public virtual bool HasExplicitStep => false;

    /// <summary>The weight whose product with τ_l the explicit step keeps (<see cref="ScaleForExplicit"/>): W_l for post and
    /// res1 (h + τ W ·), V_l for res3 (h + τ V φ(W h)).</summary>
    protected virtual bool TauOnOuterWeights => false;

    /// <summary>
    /// The training forward of the explicit step, for n inputs as rows (h is n × m), on the weights of
    /// <see cref="ScaleForExplicit"/> (τ_l already multiplied in, so one product fewer per block): h_l, and what
    /// <see cref="ExplicitBackward"/> needs besides h_{l−1} and h_l (the activation output φ(·) of the branch; h_l itself for post).
    /// </summary>
    public virtual (Tensor Next, Tensor Kept) ExplicitForward(Tensor h, Tensor w, Tensor? v) => throw NoExplicitStep();

    /// <summary>
    /// The backward pass of one block fused with its gradient-descent update: from g = ∂F/∂h_l returns ∂F/∂h_{l−1}, then
    /// moves the (scaled) weights in place by −η times their gradient, where η is the step times the loss's scale and
    /// W = w/τ (or V = v/τ for res3), so the scaled weight moves by −ητ² times its own gradient.
    /// </summary>
    public virtual Tensor ExplicitBackward(Tensor h, Tensor next, Tensor kept, Tensor g, Tensor w, Tensor? v, double tau, double eta) => throw NoExplicitStep();

    /// <summary>Copies of W_l and V_l with τ_l multiplied into the weight that carries it (<see cref="TauOnOuterWeights"/>).</summary>
    public (Tensor W, Tensor? V) ScaleForExplicit(double tau, Tensor w, Tensor? v)
    {
        using var noGrad = no_grad();
        var scaledW = TauOnOuterWeights ? w.detach().clone() : w.detach().Times(tau);
        var scaledV = v is null ? null : TauOnOuterWeights ? v.detach().Times(tau) : v.detach().clone();
        return (scaledW, scaledV);
    }

    /// <summary>The inverse of <see cref="ScaleForExplicit"/>, written into the module's weights <paramref name="w"/>, <paramref name="v"/>.</summary>
    public void UnscaleInto(double tau, Tensor scaledW, Tensor? scaledV, Tensor w, Tensor? v)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var tauScalar = TorchScalars.Of(tau);
        w.copy_(TauOnOuterWeights ? scaledW : scaledW.div(tauScalar));
        if (v is not null && scaledV is not null) v.copy_(TauOnOuterWeights ? scaledV.div(tauScalar) : scaledV);
    }

    /// <summary>g ⊙ φ'(u) given y = φ(u) (<see cref="TorchActivation.DerivativeFromOutput"/>).</summary>
    protected Tensor TimesPhiPrimeOf(Tensor g, Tensor y) => TorchActivation.TimesDerivativeFromOutput(Activation, g, y);

    private InvalidOperationException NoExplicitStep() => new($"block {GetType().Name} has no explicit gradient-descent step; it trains by autograd");

    protected Tensor Phi(Tensor u) => TorchActivation.Apply(Activation, u);

    protected Tensor PhiPrime(Tensor u) => TorchActivation.Derivative(Activation, u);

    /// <summary>XᵀX per network (T × n × n) for columns X (T × m × n).</summary>
    protected static Tensor Gram(Tensor x) => bmm(x.transpose(1, 2), x);

    protected static Tensor Outer(Tensor? v, string block) =>
        v ?? throw new ArgumentNullException(nameof(v), $"a {block} block needs its outer weights V_l");
}
