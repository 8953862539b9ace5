using StabilityLab.Models;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>h_l = h + τ W_l φ(h), Jacobian I + τ W_l diag φ'(h).</summary>
public sealed class Res1Block(Activation activation) : TorchBlock(activation)
{
    public override bool HasOuterWeights => false;

    public override Tensor Forward(Tensor h, double tau, Tensor w, Tensor? v, LinearMap apply) => h.PlusScaled(tau, apply(w, Phi(h)));

    public override (Tensor Next, Tensor Jacobian) Linearize(Tensor h, double tau, Tensor w, Tensor? v, Tensor eye) =>
        (Forward(h, tau, w, v, LinearMaps.Vectors), eye.PlusScaled(tau, w * PhiPrime(h).unsqueeze(1)));

    public override (Tensor WeightGram, Tensor Previous) Backward(Tensor h, double tau, Tensor w, Tensor? v, Tensor g) =>
        // ∂f/∂W_l = τ g φ(h_{l−1})ᵀ; ∂f/∂h_{l−1} = g + τ diag φ'(h_{l−1}) W_lᵀ g.
        (Gram(g) * Gram(Phi(h)), g.PlusScaled(tau, PhiPrime(h) * bmm(w.transpose(1, 2), g)));

    public override bool HasExplicitStep => true;

    // w = τW: h_l = h + φ(h) wᵀ.
    public override (Tensor Next, Tensor Kept) ExplicitForward(Tensor h, Tensor w, Tensor? v)
    {
        var a = Phi(h);
        return (h.PlusProduct(a, w.t()), a);
    }

    public override Tensor ExplicitBackward(Tensor h, Tensor next, Tensor kept, Tensor g, Tensor w, Tensor? v, double tau, double eta)
    {
        // ∂F/∂h_{l−1} = g + φ'(h) ⊙ (g w); ∂F/∂w = gᵀ φ(h).
        var previous = g.Plus(TimesPhiPrimeOf(g.matmul(w), kept));
        w.AddScaledProduct(-eta * tau * tau, g, kept);
        return previous;
    }
}
