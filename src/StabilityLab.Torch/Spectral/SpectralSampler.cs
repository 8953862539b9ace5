using StabilityLab.Models;
using StabilityLab.Sweeps;
using StabilityLab.Randomness;
using StabilityLab.Sampling;
using StabilityLab.Spectral;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Spectral;

/// <summary>
/// Spectral diagnostics at initialization (docs/science.md §2 claims 1 and 4) for one network spec, batched over
/// trials on materialized float64 weights: per random network, log ‖J_b···J_a‖₂² for the selected pairs (the
/// whole product (1, L) always; masks from the forward pass of the fixed input x = (1/√p)·1), optionally the
/// full spectrum of the whole product, and for n inputs the Gram matrix of h_L and the NTK restricted to the
/// block weights. Trial t of (seed, cell) draws its weights from a torch generator seeded by a counter-based hash
/// of (seed, cell, t) with cell = <see cref="CellKey.Of"/> (τ excluded): every τ sees the same weights (common random
/// numbers), and a trial's network does not depend on the batch size or memory budget.
/// </summary>
public sealed class SpectralSampler
{
    private readonly NetworkSpec _spec;
    private readonly Device _device;

    public SpectralSampler(NetworkSpec spec, SpectralOptions? options = null, Device? device = null)
    {
        spec.Validate();
        Options = options ?? new SpectralOptions();
        Options.Validate(spec);
        _spec = spec;
        _device = device ?? TorchRuntime.DefaultDevice;
        BatchSize = (int)Math.Clamp(Options.MemoryBudgetBytes / Math.Max(PerTrialBytes(spec, Options), 1), 1, 64);
    }

    /// <summary>
    /// Bytes one network of a batch holds (float64): its weights, the same again while they are drawn, two partial block
    /// products per pair evaluated, and the Gram path's activations (3·(L+1)·m·n).
    /// </summary>
    public static long PerTrialBytes(NetworkSpec spec, SpectralOptions options)
    {
        long m = spec.Width, L = spec.Depth;
        long weights = MemoryNeed.Times(L, m, m, spec.Block == BlockKind.Res3 ? 2 : 1);
        long sample = options.Pairs.Mode == "auto" ? PairSelection.AutoSampleSize : options.Pairs.SampleSize;
        long products = MemoryNeed.Times(Math.Min(L, options.Pairs.IsComplete(spec.Depth) ? L : sample + 1), m, m);
        long gram = options.Inputs is null ? 0 : MemoryNeed.Times(3, L + 1, m, options.Inputs.Count);
        return MemoryNeed.Times(8, MemoryNeed.Sum(weights, MemoryNeed.Times(L, m, m), MemoryNeed.Times(2, products), gram));
    }

    /// <summary>The memory of one batch (<see cref="BatchSize"/> networks, each with its weight draws as managed doubles
    /// besides <see cref="PerTrialBytes"/>) and the runtime, for the check before a study starts.</summary>
    public MemoryNeed Memory
    {
        get
        {
            long each = MemoryNeed.Sum(PerTrialBytes(_spec, Options), MemoryNeed.Times(8, _spec.Depth, _spec.Width, _spec.Width, _spec.Block == BlockKind.Res3 ? 2 : 1));
            return new(MemoryNeed.Sum(MemoryNeed.Times(BatchSize, each), TorchRuntime.RuntimeBytes),
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"a batch of {BatchSize} network(s) at m = {_spec.Width}, L = {_spec.Depth}, {SweepResources.Size(each)} each: weights and their draws, block products and activations in float64"),
                "lower --width or --depth, or --memory-mib (the batch's budget)");
        }
    }

    public NetworkSpec Spec => _spec;

    public SpectralOptions Options { get; }

    /// <summary>Networks per batch: a function of the spec and options only, so results are reproducible.</summary>
    public int BatchSize { get; }

    /// <summary>The pairs evaluated at this depth for this seed (the same for every trial and τ).</summary>
    public BlockPair[] Pairs(ulong seed) => Options.Pairs.Select(_spec.Depth, seed);

    /// <summary>Trials 0..count−1 of (seed, cell) at the spec's τ; <paramref name="progress"/> gets the trials finished per batch.</summary>
    public SpectralTrial[] Sample(ulong seed, int count, Action<int>? progress = null)
    {
        if (count < 1) throw new SpecException($"trials must be at least 1 (got {count})");
        uint cell = CellKey.Of(_spec);
        var tau = _spec.TauSchedule();
        var pairs = Pairs(seed);
        var whole = BlockPair.Whole(_spec.Depth);
        int wholeIndex = Array.IndexOf(pairs, whole);
        var result = new List<SpectralTrial>(count);
        var exact = Options.Inputs is not null && Options.Gram == GramPath.Exact ? new ExactGramSampler(_spec, Options.Inputs) : null;
        for (int start = 0, batch = 0; start < count; start += BatchSize, batch++)
        {
            int n = Math.Min(BatchSize, count - start);
            // Network t from a generator seeded by a counter-based hash of (seed, cell, t): the same network whatever the
            // batch size. The Lanczos start vectors come from a per-batch generator; they move norms only within the tolerance.
            var seeds = Enumerable.Range(start, n).Select(t => Threefry2x64.Block((ulong)t, 0x5BEC, seed, cell).X0 >> 1).ToArray();
            using var scope = NewDisposeScope();
            using var net = DenseNetwork.Draw(_spec, seeds, _device);
            using var gen = new Generator(Threefry2x64.Block((ulong)batch, 0x5BED, seed, cell).X0 >> 1, _device);
            BlockProductNorms norms;
            using (var jac = net.LayerJacobians(tau))
                norms = BlockProducts.Compute(jac, pairs, Options.Tolerance, Options.MaxSteps, gen, Options.SingularValues ? whole : null);
            GramMatrix[]? gram = null, ntk = null;
            if (Options.Inputs is not null && Options.Gram == GramPath.Dense)
                (gram, ntk) = net.Gram(Options.Inputs, tau, Options.Ntk);
            else if (exact is not null)
                gram = Enumerable.Range(start, n).Select(trial => exact.Sample(RandomStream.For(seed, cell, (uint)trial, SpectralStudySpec.Generator), tau)).ToArray();
            for (int t = 0; t < n; t++)
                result.Add(Assemble(start + t, t, norms, wholeIndex, gram?[t], ntk?[t]));
            progress?.Invoke(n);
        }
        return result.ToArray();
    }

    private static SpectralTrial Assemble(int trial, int t, BlockProductNorms norms, int wholeIndex, GramMatrix? gram, GramMatrix? ntk)
    {
        int k = norms.Pairs.Length;
        var logs = new double[k];
        double max = double.NegativeInfinity;
        var argmax = norms.Pairs[wholeIndex];
        int notConverged = 0;
        double steps = 0;
        bool dead = false;
        for (int i = 0; i < k; i++)
        {
            double v = norms.LogSq[i, t];
            logs[i] = v;
            dead |= !double.IsFinite(v);
            if (v > max)
            {
                max = v;
                argmax = norms.Pairs[i];
            }
            if (!norms.Converged[i, t]) notConverged++;
            steps += norms.Steps[i, t];
        }
        var gs = gram?.Summarize();
        var ns = ntk?.Summarize();
        return new SpectralTrial(trial, dead,
            norms.LogSq[wholeIndex, t], norms.Steps[wholeIndex, t], norms.Converged[wholeIndex, t],
            max, argmax, logs, notConverged, steps / k, gs, ns, norms.Spectrum?[t]);
    }
}
