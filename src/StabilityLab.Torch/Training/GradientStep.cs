using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>
/// The parameter update of gradient descent and of SGD with heavy-ball momentum: b ← μ·b + g (b = g at the first step),
/// θ ← θ − η·b; μ = 0 is plain gradient descent θ ← θ − η·g. It is torch.optim.SGD's update (no dampening, no weight
/// decay, no Nesterov), written with <see cref="TorchScalars"/> so that no Scalar it passes can be freed mid-operation.
/// </summary>
public sealed class GradientStep(IReadOnlyList<Parameter> parameters, double stepSize, double momentum) : IDisposable
{
    private readonly Tensor?[] _buffers = new Tensor?[parameters.Count];
    private readonly TorchSharp.Scalar _minusStep = TorchScalars.Of(-stepSize);
    private readonly TorchSharp.Scalar _momentum = TorchScalars.Of(momentum);

    /// <summary>Clears the gradients before a backward pass.</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters) p.grad?.zero_();
    }

    /// <summary>One update from the gradients the last backward pass left.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.grad is not { } g) continue;
            if (momentum != 0)
            {
                if (_buffers[i] is { } b) b.mul_(_momentum).add_(g, TorchScalars.One);
                else _buffers[i] = g.clone().detach().DetachFromDisposeScope();
                g = _buffers[i]!;
            }
            p.add_(g, _minusStep);
        }
    }

    public void Dispose()
    {
        foreach (var b in _buffers) b?.Dispose();
    }
}
