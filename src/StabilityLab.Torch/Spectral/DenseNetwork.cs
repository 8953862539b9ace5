using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Spectral;

/// <summary>
/// T random networks of one <see cref="NetworkSpec"/> with materialized float64 weights (<see cref="BatchedWeights"/>,
/// variances of <see cref="WeightInit"/>) and the spectral tools on them: layer Jacobians and the Gram matrix and NTK.
/// The block formulas come from <see cref="TorchBlock"/>. The weights do not depend on τ, so every τ evaluated on one
/// instance sees the same draws (common random numbers). Owns its tensors.
/// </summary>
public sealed class DenseNetwork : IDisposable
{
    private readonly BatchedWeights _weights;
    private readonly TorchBlock _block;

    private DenseNetwork(NetworkSpec spec, BatchedWeights weights)
    {
        Spec = spec;
        _weights = weights;
        _block = TorchBlock.For(spec);
    }

    public NetworkSpec Spec { get; }

    /// <summary>T, the number of networks (the batch).</summary>
    public int Trials => _weights.Trials;

    public Device Device => _weights.A.device;

    /// <summary>A, T × m × p.</summary>
    public Tensor InputWeights => _weights.A;

    /// <summary>W_1..W_L, each T × m × m (for res3 the inner W_l of V_l φ(W_l h)).</summary>
    public IReadOnlyList<Tensor> BlockWeights => _weights.W;

    /// <summary>V_1..V_L for res3, else null.</summary>
    public IReadOnlyList<Tensor>? OuterWeights => _weights.V;

    /// <summary>B, T × d × m.</summary>
    public Tensor OutputWeights => _weights.B;

    /// <summary>Draws T networks from a torch generator with the given seed (order: A, then W_l [V_l] for l = 1..L, then B).</summary>
    public static DenseNetwork Draw(NetworkSpec spec, int trials, ulong generatorSeed, Device? device = null) =>
        new(spec, BatchedWeights.Draw(spec, trials, generatorSeed, device ?? TorchRuntime.DefaultDevice));

    /// <summary>
    /// Draws T = seeds.Count networks, network t from its own torch generator seeded by seeds[t] (order: A, then W_l [V_l]
    /// for l = 1..L, then B): network t is the same whatever batch it is drawn in.
    /// </summary>
    public static DenseNetwork Draw(NetworkSpec spec, IReadOnlyList<ulong> seeds, Device? device = null) =>
        new(spec, BatchedWeights.Draw(spec, seeds, device ?? TorchRuntime.DefaultDevice));

    /// <summary>Wraps given weights (copied, detached): A (T×m×p), W_l (T×m×m), V_l for res3, B (T×d×m).</summary>
    public static DenseNetwork FromWeights(NetworkSpec spec, Tensor a, IReadOnlyList<Tensor> w, IReadOnlyList<Tensor>? v, Tensor b) =>
        new(spec, BatchedWeights.Copy(spec, a, w, v, b));

    /// <summary>The fixed input of the dense sampler, x = (1/√p)·(1, ..., 1).</summary>
    public static double[] DefaultInput(int p) => Enumerable.Repeat(1.0 / Math.Sqrt(p), p).ToArray();

    /// <summary>
    /// The layer Jacobians J_l = ∂h_l/∂h_{l−1} along the forward pass of one input (default <see cref="DefaultInput"/>),
    /// as an L × T × m × m tensor: post D_l(I + τ_l W_l) with D_l = diag φ'(h_{l−1} + τ_l W_l h_{l−1});
    /// res1 I + τ_l W_l diag φ'(h_{l−1}); res3 I + τ_l V_l diag φ'(W_l h_{l−1}) W_l.
    /// </summary>
    public Tensor LayerJacobians(double[] tau, double[]? input = null)
    {
        CheckSchedule(tau);
        int m = Spec.Width, L = Spec.Depth, T = Trials;
        var x = input ?? DefaultInput(Spec.InputDim);
        if (x.Length != Spec.InputDim) throw new ArgumentException($"input needs {Spec.InputDim} values (got {x.Length})");
        var result = empty(new long[] { L, T, m, m }, float64, Device);
        using (var scope = NewDisposeScope())
        {
            var eye = torch.eye(m, dtype: float64, device: Device);
            var h = Act(matmul(_weights.A, tensor(x, float64, Device).unsqueeze(-1)).squeeze(-1)); // T × m
            h = Rescale(h);
            for (int l = 0; l < L; l++)
            {
                using var layer = NewDisposeScope();
                var (next, J) = _block.Linearize(h, tau[l], _weights.W[l], _weights.Outer(l), eye);
                result[l].copy_(J);
                h = Rescale(next).MoveToOuterDisposeScope();
            }
        }
        return result;
    }

    /// <summary>
    /// For n inputs: the Gram matrix G_ij = ⟨h_{i,L}, h_{j,L}⟩ per network, and, when <paramref name="ntk"/>, the NTK
    /// restricted to the block weights, K_ij = Σ_l ⟨∂f_i/∂W_l, ∂f_j/∂W_l⟩ (+ the same for V_l in res3) with
    /// f = b₁ᵀ h_L the first output (the paper's d = 1). Backward by the explicit block formulas
    /// (∂f/∂W_l = τ_l (D_l g_l) h_{l−1}ᵀ for post), O(L m² n) per network; hidden and gradient matrices are
    /// renormalized by common scalars every layer and the scales kept in the log domain.
    /// </summary>
    public (GramMatrix[] Gram, GramMatrix[]? Ntk) Gram(GramInputs inputs, double[] tau, bool ntk = true)
    {
        CheckSchedule(tau);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Dim != Spec.InputDim) throw new SpecException($"inputs have dimension {inputs.Dim} but the network's input dimension is {Spec.InputDim}");
        using var scope = NewDisposeScope();
        int n = inputs.Count, L = Spec.Depth, T = Trials;
        bool homogeneous = Spec.Activation.IsPositivelyHomogeneous();
        var X = tensor(inputs.ColumnMajor(), new long[] { n, Spec.InputDim }, float64, Device).t(); // p × n
        var H = new Tensor[L + 1];
        var logP = new Tensor[L + 1]; // log of the squared common scale of H_l, per network (T)
        (H[0], logP[0]) = Normalize(Act(matmul(_weights.A, X)), homogeneous, zeros(T, float64, Device));
        for (int l = 0; l < L; l++)
        {
            var next = _block.Forward(H[l], tau[l], _weights.W[l], _weights.Outer(l), LinearMaps.Columns);
            (H[l + 1], logP[l + 1]) = Normalize(next, homogeneous, logP[l]);
        }
        var hL = H[L];
        var gram = ToGram(bmm(hL.transpose(1, 2), hL), logP[L], n);
        if (!ntk) return (gram, null);

        // g_L = ∂f_i/∂h_L = b₁ for every input; ĝ = g / exp(logQ/2).
        var (g, logQ) = Normalize(_weights.B.select(1, 0).unsqueeze(-1).expand(T, Spec.Width, n), true, zeros(T, float64, Device));
        var terms = new Tensor[L];
        var logs = new Tensor[L];
        for (int l = L - 1; l >= 0; l--)
        {
            double t = tau[l];
            var (m, prev) = _block.Backward(H[l], t, _weights.W[l], _weights.Outer(l), g);
            terms[l] = m;
            logs[l] = logP[l].add(TorchScalars.Of(2 * Math.Log(t)), TorchScalars.One).Plus(logQ);
            (g, logQ) = Normalize(prev, true, logQ);
        }
        // K = Σ_l exp(c_l) M_l, combined in the log domain per network.
        var c = stack(logs).cpu();                    // L × T
        var mats = stack(terms).cpu();                // L × T × n × n
        var cv = c.data<double>().ToArray();
        var mv = mats.contiguous().data<double>().ToArray();
        var result = new GramMatrix[T];
        int n2 = n * n;
        for (int tr = 0; tr < T; tr++)
        {
            double cmax = double.NegativeInfinity;
            bool finite = true;
            for (int l = 0; l < L; l++)
            {
                double v = cv[l * T + tr];
                finite &= double.IsFinite(v);
                cmax = Math.Max(cmax, v);
            }
            var k = new double[n2];
            if (finite)
                for (int l = 0; l < L; l++)
                {
                    double wgt = Math.Exp(cv[l * T + tr] - cmax);
                    int off = (l * T + tr) * n2;
                    for (int e = 0; e < n2; e++) k[e] += wgt * mv[off + e];
                }
            result[tr] = finite ? GramMatrix.FromScaled(n, cmax, k) : new GramMatrix(n, double.NegativeInfinity, k);
        }
        return (gram, result);
    }

    public void Dispose() => _weights.Dispose();

    private static GramMatrix[] ToGram(Tensor g, Tensor logScale, int n)
    {
        var gv = g.cpu().contiguous().data<double>().ToArray();
        var lv = logScale.cpu().data<double>().ToArray();
        var result = new GramMatrix[lv.Length];
        for (int t = 0; t < lv.Length; t++)
            result[t] = double.IsFinite(lv[t])
                ? GramMatrix.FromScaled(n, lv[t], gv.AsSpan(t * n * n, n * n))
                : new GramMatrix(n, double.NegativeInfinity, new double[n * n]);
        return result;
    }

    /// <summary>Divides each network's m × n matrix by its root mean squared column norm (when allowed) and adds the log to logScale.</summary>
    private static (Tensor, Tensor) Normalize(Tensor x, bool allowed, Tensor logScale)
    {
        if (!allowed) return (x, logScale);
        var r = x.square().sum(new long[] { 1, 2 }).div(TorchScalars.Of(x.shape[2]));
        return (x / r.sqrt().clamp_min(TorchScalars.Of(1e-300)).view(-1, 1, 1), logScale.Plus(r.log()));
    }

    /// <summary>Divides each network's hidden vector (T × m) by its norm when φ is positively homogeneous (J is unchanged).</summary>
    private Tensor Rescale(Tensor h) =>
        Spec.Activation.IsPositivelyHomogeneous() ? h / h.norm(1, true).clamp_min(TorchScalars.Of(1e-300)) : h;

    private void CheckSchedule(double[] tau)
    {
        if (tau.Length != Spec.Depth) throw new ArgumentException($"a τ schedule needs {Spec.Depth} values (got {tau.Length})");
    }

    private Tensor Act(Tensor u) => TorchActivation.Apply(Spec.Activation, u);
}
