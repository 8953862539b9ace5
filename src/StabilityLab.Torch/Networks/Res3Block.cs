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

    public override bool HasExplicitStep => true;

    protected override bool TauOnOuterWeights => true;

    // v = τV, W as drawn: h_l = h + φ(h Wᵀ) vᵀ.
    public override (Tensor Next, Tensor Kept) ExplicitForward(Tensor h, Tensor w, Tensor? v)
    {
        var a = Phi(h.matmul(w.t()));
        return (h.PlusProduct(a, Outer(v, "res3").t()), a);
    }

    public override Tensor ExplicitBackward(Tensor h, Tensor next, Tensor kept, Tensor g, Tensor w, Tensor? v, double tau, double eta)
    {
        // ψ = φ'(u) ⊙ (g v); ∂F/∂h_{l−1} = g + ψ W; ∂F/∂W = ψᵀ h; ∂F/∂v = gᵀ φ(u).
        var outer = Outer(v, "res3");
        var psi = TimesPhiPrimeOf(g.matmul(outer), kept);
        var previous = g.PlusProduct(psi, w);
        w.AddScaledProduct(-eta, psi, h);
        outer.AddScaledProduct(-eta * tau * tau, g, kept);
        return previous;
    }

    /// <summary>h + τ V φ(u) for u = W h.</summary>
    private Tensor Step(Tensor h, double tau, Tensor u, Tensor v, LinearMap apply) => h.PlusScaled(tau, apply(v, Phi(u)));
}
