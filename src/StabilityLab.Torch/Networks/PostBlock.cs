using StabilityLab.Models;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>The paper's block h_l = φ(h + τ W_l h), Jacobian D_l(I + τ W_l) with D_l = diag φ'(h + τ W_l h).</summary>
public sealed class PostBlock(Activation activation) : TorchBlock(activation)
{
    public override bool HasOuterWeights => false;

    public override Tensor Forward(Tensor h, double tau, Tensor w, Tensor? v, LinearMap apply) => Phi(Pre(h, tau, w, apply));

    public override (Tensor Next, Tensor Jacobian) Linearize(Tensor h, double tau, Tensor w, Tensor? v, Tensor eye)
    {
        var pre = Pre(h, tau, w, LinearMaps.Vectors);
        return (Phi(pre), PhiPrime(pre).unsqueeze(-1) * eye.PlusScaled(tau, w));
    }

    public override (Tensor WeightGram, Tensor Previous) Backward(Tensor h, double tau, Tensor w, Tensor? v, Tensor g)
    {
        // ∂f/∂W_l = τ (D_l g) h_{l−1}ᵀ; ∂f/∂h_{l−1} = (I + τ W_l)ᵀ D_l g.
        var dg = PhiPrime(Pre(h, tau, w, LinearMaps.Columns)) * g;
        return (Gram(dg) * Gram(h), dg.PlusScaled(tau, bmm(w.transpose(1, 2), dg)));
    }

    public override bool HasExplicitStep => true;

    // w = τW: h_l = φ(h + h wᵀ), one fused multiply-add.
    public override (Tensor Next, Tensor Kept) ExplicitForward(Tensor h, Tensor w, Tensor? v)
    {
        var next = Phi(h.PlusProduct(h, w.t()));
        return (next, next);
    }

    public override Tensor ExplicitBackward(Tensor h, Tensor next, Tensor kept, Tensor g, Tensor w, Tensor? v, double tau, double eta)
    {
        // dg = D_l g; ∂F/∂h_{l−1} = dg + dg w; ∂F/∂w = dgᵀ h (the column form's τ (D_l g) h_{l−1}ᵀ above, per τW).
        var dg = TimesPhiPrimeOf(g, next);
        var previous = dg.PlusProduct(dg, w);
        w.AddScaledProduct(-eta * tau * tau, dg, h);
        return previous;
    }

    private static Tensor Pre(Tensor h, double tau, Tensor w, LinearMap apply) => h.PlusScaled(tau, apply(w, h));
}
