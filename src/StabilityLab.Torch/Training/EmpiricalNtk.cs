using StabilityLab.Torch.Networks;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>
/// The empirical neural tangent kernel of a <see cref="ResNetModule"/> restricted to a set of its weights:
/// Θ_(i,a),(j,b) = Σ_θ ∂f_a(x_i)/∂θ · ∂f_b(x_j)/∂θ over the entries θ of the given weight matrices, an (n·d) × (n·d)
/// matrix indexed i·d + a. Exact for any block and any trained set: every weight W enters the module only through
/// z = h Wᵀ (<see cref="LinearMap"/>), so the per-example gradient of f_a(x_i) with respect to W is δ_{i}ᵀ h_i summed
/// over W's uses, δ_i being row i of ∂(Σ_k f_a(x_k))/∂z (row i of z feeds only f(x_i)); hence
/// Θ_ab = Σ_W Σ_{uses u, v of W} (Δ_u^a Δ_v^bᵀ) ⊙ (H_u H_vᵀ). One backward pass per output, O(L m² n + L m n²).
/// </summary>
public static class EmpiricalNtk
{
    /// <summary>
    /// Θ at the module's current weights for the rows of <paramref name="x"/> (n × p, the module's dtype), restricted to
    /// <paramref name="trained"/> (each must require gradients), in float64 row-major, and the outputs f(x) (n × d, row-major).
    /// </summary>
    public static (double[] Theta, double[] Outputs, int Count, int OutputDim) Compute(ResNetModule model, IReadOnlyList<Tensor> trained, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trained);
        using var scope = NewDisposeScope();
        var uses = new List<(int Weight, Tensor Input, Tensor Output)>();
        LinearMap observe = (w, input) =>
        {
            var z = LinearMaps.Rows(w, input);
            for (int k = 0; k < trained.Count; k++)
                if (ReferenceEquals(trained[k], w)) uses.Add((k, input, z));
            return z;
        };
        var y = model.Forward(x, observe);
        for (int k = 0; k < trained.Count; k++)
            if (!uses.Any(u => u.Weight == k))
                throw new InvalidOperationException($"trained weight {k} is not used by the module's forward pass");
        int n = (int)y.shape[0], d = (int)y.shape[1];
        var z = uses.Select(u => u.Output).ToArray();
        var delta = new Tensor[d][];
        for (int a = 0; a < d; a++)
            delta[a] = autograd.grad([y.select(1, a).sum()], z, retain_graph: a < d - 1).Select(g => g.detach().to(float64)).ToArray();
        var inputs = uses.Select(u => u.Input.detach().to(float64)).ToArray();

        var theta = zeros(new long[] { n, d, n, d }, float64, y.device);
        for (int u = 0; u < uses.Count; u++)
            for (int v = 0; v < uses.Count; v++)
            {
                if (uses[u].Weight != uses[v].Weight) continue; // different weights: no shared parameter
                var hh = inputs[u].matmul(inputs[v].t());
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++)
                        theta.select(3, b).select(1, a).add_(delta[a][u].matmul(delta[b][v].t()) * hh, TorchScalars.One);
            }
        var values = theta.reshape(n * d, n * d).cpu().contiguous().data<double>().ToArray();
        var outputs = y.detach().to(float64).cpu().contiguous().data<double>().ToArray();
        return (values, outputs, n, d);
    }
}
