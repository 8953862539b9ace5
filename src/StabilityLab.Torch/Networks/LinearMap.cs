using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>
/// x ↦ W x in one tensor layout. The block formulas are written once (<see cref="TorchBlock"/>) and each back-end
/// passes the layout of its hidden states, so the same formula runs on batched vectors, batched columns or rows.
/// </summary>
public delegate Tensor LinearMap(Tensor weight, Tensor input);

/// <summary>The layouts of the back-ends.</summary>
public static class LinearMaps
{
    /// <summary>T networks, one vector each: W is T × m × k, x is T × k (the dense sampler, layer Jacobians).</summary>
    public static readonly LinearMap Vectors = (w, x) => bmm(w, x.unsqueeze(-1)).squeeze(-1);

    /// <summary>T networks, n inputs as columns: W is T × m × k, X is T × k × n (Gram matrix and NTK).</summary>
    public static readonly LinearMap Columns = (w, x) => bmm(w, x);

    /// <summary>One network, n inputs as rows: W is m × k, X is n × k (the training module).</summary>
    public static readonly LinearMap Rows = (w, x) => x.matmul(w.t());
}
