using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;
using StabilityLab.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Sampling;

/// <summary>
/// The dense reference sampler: the network of docs/science.md §1 with materialized weights in
/// TorchSharp (<see cref="BatchedWeights"/>, blocks by <see cref="TorchBlock"/>), float64, batched over trials, backward by autograd. Ground truth for
/// <see cref="ExactSampler"/> and the only sampler for non-Gaussian weights. Costs O(L·m²) per trial.
/// For positively homogeneous φ every hidden vector is divided by its (detached) norm, which
/// leaves all directions and gradient directions unchanged and keeps τ = 1 at any depth finite;
/// the log norms are added back exactly (see the comments in <see cref="SampleBatch"/>).
/// </summary>
public sealed class DenseSampler
{
    private readonly NetworkSpec _spec;
    private readonly Device _device;
    private readonly TorchBlock _block;

    /// <param name="spec">The network; any block, activation and weight law.</param>
    /// <param name="memoryBudgetBytes">Weights kept for autograd per batch; sets the batch size.</param>
    /// <param name="device">Where the weights live (default: the runtime's device).</param>
    public DenseSampler(NetworkSpec spec, long memoryBudgetBytes = 1L << 30, Device? device = null)
    {
        spec.Validate();
        spec.Block.RequireSampled();
        _spec = spec;
        _device = device ?? TorchRuntime.DefaultDevice;
        _block = TorchBlock.For(spec);
        long perTrial = 8L * spec.Depth * spec.Width * spec.Width * (spec.Block == BlockKind.Res3 ? 2 : 1);
        BatchSize = (int)Math.Clamp(memoryBudgetBytes / Math.Max(perTrial, 1), 1, 256);
    }

    /// <summary>Trials per batch; a function of the spec and budget only, so results are reproducible.</summary>
    public int BatchSize { get; }

    /// <summary>Trials 0..count−1 of (seed, cell) at the spec's τ.</summary>
    public TrialMeasurement[] Sample(ulong seed, uint cell, int count)
    {
        var tau = _spec.TauSchedule();
        var result = new List<TrialMeasurement>(count);
        for (int start = 0, batch = 0; start < count; start += BatchSize, batch++)
        {
            int n = Math.Min(BatchSize, count - start);
            // One torch generator per batch, seeded by a counter-based hash of (seed, cell, batch).
            var (bits, _) = Threefry2x64.Block((ulong)batch, 0xD5EE, seed, cell);
            result.AddRange(SampleBatch(n, tau, (long)(bits >> 1)));
        }
        return result.ToArray();
    }

    private TrialMeasurement[] SampleBatch(int T, double[] tau, long generatorSeed)
    {
        using var scope = NewDisposeScope();
        int L = _spec.Depth, p = _spec.InputDim;
        bool homogeneous = _spec.Activation.IsPositivelyHomogeneous();
        // Weights in the canonical order (A, W_l [V_l], B); they live in the dispose scope, the autograd leaves are W_l, V_l.
        var net = BatchedWeights.Draw(_spec, T, (ulong)generatorSeed, _device);

        // h_0 = φ(A x) with a fixed unit input x.
        var x = full(new long[] { p, 1 }, TorchScalars.Of(1.0 / Math.Sqrt(p)), float64, _device);
        var h0raw = TorchActivation.Apply(_spec.Activation, matmul(net.A, x).squeeze(-1));
        // logH[l] = log‖h_l‖² per trial (T values), accumulated in the log domain.
        var logH = new Tensor[L + 1];
        var h = new Tensor[L + 1];
        var n0 = h0raw.square().sum(1, keepdim: true);
        logH[0] = n0.log().squeeze(1);
        h[0] = (homogeneous ? h0raw / n0.sqrt() : h0raw).detach().requires_grad_(true);

        var perBlock = new List<Tensor[]>();
        for (int l = 1; l <= L; l++)
        {
            var W = net.W[l - 1].requires_grad_(true);
            var V = net.Outer(l - 1)?.requires_grad_(true);
            perBlock.Add(V is null ? [W] : [W, V]);
            var next = _block.Forward(h[l - 1], tau[l - 1], W, V, LinearMaps.Vectors);
            var n2 = next.detach().square().sum(1, keepdim: true);
            if (homogeneous)
            {
                // ĥ_l = φ(...)/s_l with s_l a constant: ‖h_l‖ = P_l = ‖h_0‖·s_1···s_l.
                logH[l] = logH[l - 1].Plus(n2.log().squeeze(1));
                next = next / n2.sqrt();
            }
            else
            {
                logH[l] = n2.log().squeeze(1);
            }
            h[l] = next;
        }

        var y = LinearMaps.Vectors(net.B, h[L]);
        var F = y.square().sum().Times(0.5);

        var inputs = new List<Tensor>(h);
        foreach (var blk in perBlock) inputs.AddRange(blk);
        var grads = autograd.grad(new[] { F }, inputs);

        // With F̂ the loss of the rescaled graph and P_l = ‖h_l‖ (homogeneous φ, so ∇F has degree 1):
        // ∂F/∂h_l = (P_L²/P_l) ∂F̂/∂ĥ_l and ∂F/∂W = P_L² ∂F̂/∂W. Without rescaling P-factors are 1.
        var logGhat = new double[L + 1][];
        for (int l = 0; l <= L; l++) logGhat[l] = ToArray(grads[l].square().sum(1).log());
        var logW = new double[L][];
        int k = L + 1;
        for (int l = 0; l < L; l++)
        {
            Tensor sq = zeros(T, float64, _device);
            foreach (var _ in perBlock[l]) sq = sq.Plus(grads[k++].square().sum(new long[] { 1, 2 }));
            logW[l] = ToArray(sq.log());
        }
        var logHs = logH.Select(ToArray).ToArray();

        var result = new TrialMeasurement[T];
        for (int t = 0; t < T; t++)
        {
            var fwd = new double[L + 1];
            var bwd = new double[L + 1];
            var wg = new double[L];
            double hL = homogeneous ? logHs[L][t] : 0.0;
            bool finite = true;
            for (int l = 0; l <= L; l++)
            {
                fwd[l] = logHs[l][t] - logHs[0][t];
                double scale = homogeneous ? hL - logHs[l][t] : 0.0; // log (P_L/P_l)²
                bwd[l] = scale + logGhat[l][t] - logGhat[L][t];
                finite &= double.IsFinite(fwd[l]) && double.IsFinite(bwd[l]);
            }
            for (int l = 0; l < L; l++)
            {
                wg[l] = 2 * hL + logW[l][t];
                finite &= double.IsFinite(wg[l]);
            }
            finite &= double.IsFinite(logHs[0][t]);
            result[t] = finite ? new TrialMeasurement(fwd, bwd, wg, logHs[0][t], false) : TrialMeasurement.DeadTrial(L);
        }
        return result;
    }

    private static double[] ToArray(Tensor t) => t.detach().cpu().data<double>().ToArray();
}
