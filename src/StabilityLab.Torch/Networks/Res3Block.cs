using StabilityLab.Models;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>h_l = h + τ V_l φ(W_l h), Jacobian I + τ V_l diag φ'(W_l h) W_l.</summary>
public sealed class Res3Block(Activation activation) : TorchBlock(activation)
{
    public override bool HasOuterWeights => true;

    public override Tensor Forward(Tensor h, double tau, Tensor w, Tensor? v, LinearMap apply) =>
        Step(h, tau, apply(w, h), Outer(v, "res3"), apply);

    public override (Tensor Next, Tensor Jacobian) Linearize(Tensor h, double tau, Tensor w, Tensor? v, Tensor eye)
    {
        var outer = Outer(v, "res3");
        var u = LinearMaps.Vectors(w, h);
        return (Step(h, tau, u, outer, LinearMaps.Vectors), eye.PlusScaled(tau, bmm(outer * PhiPrime(u).unsqueeze(1), w)));
    }

    public override (Tensor WeightGram, Tensor Previous) Backward(Tensor h, double tau, Tensor w, Tensor? v, Tensor g)
    {
        // With u = W_l h_{l−1}: ∂f/∂V_l = τ g φ(u)ᵀ, ∂f/∂W_l = τ (φ'(u) ⊙ V_lᵀ g) h_{l−1}ᵀ; ∂f/∂h_{l−1} = g + τ W_lᵀ (φ'(u) ⊙ V_lᵀ g).
        var outer = Outer(v, "res3");
        var u = bmm(w, h);
        var inner = PhiPrime(u) * bmm(outer.transpose(1, 2), g);
        return ((Gram(g) * Gram(Phi(u))).Plus(Gram(inner) * Gram(h)), g.PlusScaled(tau, bmm(w.transpose(1, 2), inner)));
    }

    /// <summary>h + τ V φ(u) for u = W h.</summary>
    private Tensor Step(Tensor h, double tau, Tensor u, Tensor v, LinearMap apply) => h.PlusScaled(tau, apply(v, Phi(u)));
}
