using StabilityLab.Models;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>
/// The post block with BatchNorm in the branch, as the paper's ResNet + BN (docs/science.md §2, claim 5):
/// h_l = φ(h + τ BN(W_l h)), BN over the examples of the batch (inputs as rows) with its own scale γ and shift β.
/// BatchNorm couples the examples of a batch and has its own parameters, so the block needs
/// its module (<see cref="ResidualLayer"/> owns one per layer): it has no single-network Jacobian and no per-example
/// NTK, and the samplers refuse it (<see cref="ModelNames.RequireSampled"/>).
/// </summary>
public sealed class PostBnBlock(Activation activation) : TorchBlock(activation)
{
    public override bool HasOuterWeights => false;

    public override bool IsNormalized => true;

    public override Tensor Forward(Tensor h, double tau, Tensor w, Tensor? v, LinearMap apply, Func<Tensor, Tensor>? norm) =>
        Phi(h.PlusScaled(tau, (norm ?? throw new ArgumentNullException(nameof(norm), "a post-bn block needs its BatchNorm module"))(apply(w, h))));

    public override Tensor Forward(Tensor h, double tau, Tensor w, Tensor? v, LinearMap apply) => throw Unsupported();

    public override (Tensor Next, Tensor Jacobian) Linearize(Tensor h, double tau, Tensor w, Tensor? v, Tensor eye) => throw Unsupported();

    public override (Tensor WeightGram, Tensor Previous) Backward(Tensor h, double tau, Tensor w, Tensor? v, Tensor g) => throw Unsupported();

    private static InvalidOperationException Unsupported() =>
        new("a post-bn block is interpreted only by ResidualLayer with its BatchNorm module (training); it has no batched single-network form");
}
