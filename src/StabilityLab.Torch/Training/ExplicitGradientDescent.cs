using StabilityLab.Models;
using StabilityLab.Torch.Networks;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>
/// Full-batch gradient descent on c·F, F = Σ_i ½‖f(x_i) − y*_i‖² (c the loss's scale), with the backward pass written out
/// per block (<see cref="TorchBlock.ExplicitForward"/>, <see cref="TorchBlock.ExplicitBackward"/>) and each weight's
/// update fused into it. It builds no autograd graph and keeps τ_l multiplied into a copy of the weight that carries it, so
/// a block costs its three matrix products and a few element-wise operations (docs/architecture.md, "Training"). The
/// dynamics are those of autograd with <see cref="GradientStep"/> up to rounding (ExplicitGradientDescentTests). The
/// module's own weights are stale until <see cref="WriteBack"/>.
/// </summary>
public sealed class ExplicitGradientDescent : IDisposable
{
    private readonly ResNetModule _model;
    private readonly TorchBlock _block;
    private readonly bool _all;
    private readonly double _eta;
    private readonly Tensor[] _w;
    private readonly Tensor?[] _v;
    private readonly (Tensor Input, Tensor Next, Tensor Kept)[] _tape;
    private Tensor? _x, _h0, _output;

    /// <param name="model">The network; its W_l (V_l) are copied, A and B are updated in place when all weights train.</param>
    /// <param name="trained">Hidden: the W_l (V_l) move; All: A and B too.</param>
    /// <param name="eta">The step η times the loss's scale c.</param>
    public ExplicitGradientDescent(ResNetModule model, TrainedParameters trained, double eta)
    {
        _block = TorchBlock.For(model.Spec);
        if (!_block.HasExplicitStep) throw new ArgumentException($"block {model.Spec.Block.Name()} has no explicit gradient-descent step", nameof(model));
        _model = model;
        _all = trained == TrainedParameters.All;
        _eta = eta;
        int depth = model.Spec.Depth;
        _w = new Tensor[depth];
        _v = new Tensor?[depth];
        _tape = new (Tensor, Tensor, Tensor)[depth];
        using var scope = NewDisposeScope();
        for (int l = 0; l < depth; l++)
        {
            var (w, v) = _block.ScaleForExplicit(model.Tau[l], model.BranchWeights(l + 1), OuterWeights(l));
            _w[l] = w.DetachFromDisposeScope();
            _v[l] = v?.DetachFromDisposeScope();
        }
    }

    /// <summary>f(X) (n × d) at the current weights, keeping what <see cref="Step"/> needs. The tensors belong to the
    /// caller's dispose scope and must live until Step.</summary>
    public Tensor Forward(Tensor x)
    {
        using var noGrad = no_grad();
        var h = TorchActivation.Apply(_model.Spec.Activation, LinearMaps.Rows(_model.InputWeights, x));
        (_x, _h0) = (x, h);
        for (int l = 0; l < _tape.Length; l++)
        {
            var (next, kept) = _block.ExplicitForward(h, _w[l], _v[l]);
            _tape[l] = (h, next, kept);
            h = next;
        }
        _output = LinearMaps.Rows(_model.OutputWeights, h);
        return _output;
    }

    /// <summary>One gradient-descent update from the last <see cref="Forward"/>, for the targets <paramref name="y"/>.</summary>
    public void Step(Tensor y)
    {
        if (_output is null || _x is null || _h0 is null) throw new InvalidOperationException("call Forward before Step");
        using var noGrad = no_grad();
        int depth = _tape.Length;
        var residual = _output - y; // ∂F/∂f
        var last = depth > 0 ? _tape[depth - 1].Next : _h0;
        var g = residual.matmul(_model.OutputWeights); // ∂F/∂h_L, with B before its update
        if (_all) _model.OutputWeights.AddScaledProduct(-_eta, residual, last);
        for (int l = depth - 1; l >= 0; l--)
        {
            var (input, next, kept) = _tape[l];
            g = _block.ExplicitBackward(input, next, kept, g, _w[l], _v[l], _model.Tau[l], _eta);
        }
        if (_all)
        {
            _model.InputWeights.AddScaledProduct(-_eta, TorchActivation.TimesDerivativeFromOutput(_model.Spec.Activation, g, _h0), _x);
        }
        _output = null;
    }

    /// <summary>Writes the current W_l (V_l) into the module (A and B are always current).</summary>
    public void WriteBack()
    {
        for (int l = 0; l < _w.Length; l++)
            _block.UnscaleInto(_model.Tau[l], _w[l], _v[l], _model.BranchWeights(l + 1), OuterWeights(l));
    }

    /// <summary>The module's V_{l+1} for a block that has one (res3), else null.</summary>
    private Tensor? OuterWeights(int l) => _block.HasOuterWeights ? _model.SecondBranchWeights(l + 1) : null;

    public void Dispose()
    {
        foreach (var w in _w) w.Dispose();
        foreach (var v in _v) v?.Dispose();
    }
}
