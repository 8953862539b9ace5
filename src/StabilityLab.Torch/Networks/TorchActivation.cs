using StabilityLab.Models;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>φ and φ' of <see cref="Activation"/> on tensors, for every TorchSharp interpreter of a block.</summary>
public static class TorchActivation
{
    /// <summary>φ(u) elementwise.</summary>
    public static Tensor Apply(Activation activation, Tensor u) => activation switch
    {
        Activation.Relu => nn.functional.relu(u),
        Activation.Tanh => tanh(u),
        Activation.Identity => u,
        _ => throw new InvalidOperationException($"activation {activation} has no TorchSharp interpreter"),
    };

    /// <summary>φ'(u) elementwise (ReLU' = 1[u &gt; 0]).</summary>
    public static Tensor Derivative(Activation activation, Tensor u) => activation switch
    {
        Activation.Relu => u.gt(TorchScalars.Of(0.0)).to_type(u.dtype),
        Activation.Tanh => tanh(u).square().OneMinus(),
        Activation.Identity => ones_like(u),
        _ => throw new InvalidOperationException($"activation {activation} has no TorchSharp interpreter"),
    };

    /// <summary>g ⊙ φ'(u) given y = φ(u) (<see cref="DerivativeFromOutput"/>; g itself for the identity).</summary>
    public static Tensor TimesDerivativeFromOutput(Activation activation, Tensor g, Tensor y) =>
        DerivativeFromOutput(activation, y) is { } d ? g.mul(d) : g;

    /// <summary>
    /// φ'(u) from the output y = φ(u) alone, for the explicit backward pass, which keeps only outputs: ReLU' = 1[y &gt; 0] = sign(y)
    /// (y ≥ 0; 0 at y = 0, as autograd's ReLU), tanh' = 1 − y²; null for the identity (no factor).
    /// </summary>
    public static Tensor? DerivativeFromOutput(Activation activation, Tensor y) => activation switch
    {
        Activation.Relu => y.sign(),
        Activation.Tanh => y.square().OneMinus(),
        Activation.Identity => null,
        _ => throw new InvalidOperationException($"activation {activation} has no TorchSharp interpreter"),
    };
}
