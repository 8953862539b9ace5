using StabilityLab.Models;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>
/// The materialized float64 weights of T random networks of one <see cref="NetworkSpec"/> (docs/science.md §1):
/// A (T × m × p), W_l and, for res3, V_l (T × m × m), B (T × d × m), with the variances of <see cref="WeightInit"/>.
/// Always drawn in the order A, then W_l [V_l] for l = 1..L, then B. Owns its tensors.
/// </summary>
public sealed class BatchedWeights : IDisposable
{
    private BatchedWeights(Tensor a, Tensor[] w, Tensor[]? v, Tensor b)
    {
        A = a;
        W = w;
        V = v;
        B = b;
    }

    /// <summary>A, T × m × p.</summary>
    public Tensor A { get; }

    /// <summary>W_1..W_L, each T × m × m (for res3 the inner W_l of V_l φ(W_l h)).</summary>
    public Tensor[] W { get; }

    /// <summary>V_1..V_L for res3, else null.</summary>
    public Tensor[]? V { get; }

    /// <summary>B, T × d × m.</summary>
    public Tensor B { get; }

    /// <summary>T, the number of networks.</summary>
    public int Trials => (int)A.shape[0];

    /// <summary>V_l (0-based) for res3, else null.</summary>
    public Tensor? Outer(int l) => V?[l];

    /// <summary>Draws T networks from one torch generator with the given seed.</summary>
    public static BatchedWeights Draw(NetworkSpec spec, int trials, ulong generatorSeed, Device device)
    {
        spec.Validate();
        if (trials < 1) throw new ArgumentOutOfRangeException(nameof(trials), "at least one trial");
        using var gen = new Generator(generatorSeed, device);
        int m = spec.Width, p = spec.InputDim, d = spec.OutputDim, L = spec.Depth;
        Tensor Next(int rows, int cols, double variance) => WeightDraws.Batch(spec.Weights, gen, device, trials, rows, cols, variance);
        var a = Next(m, p, spec.InputVariance());
        var w = new Tensor[L];
        var v = spec.Block == BlockKind.Res3 ? new Tensor[L] : null;
        for (int l = 0; l < L; l++)
        {
            w[l] = Next(m, m, spec.BranchVariance());
            if (v is not null) v[l] = Next(m, m, spec.BranchVariance());
        }
        var b = Next(d, m, spec.OutputVariance());
        return new BatchedWeights(a, w, v, b);
    }

    /// <summary>Draws T = seeds.Count networks, network t from its own torch generator seeded by seeds[t].</summary>
    public static BatchedWeights Draw(NetworkSpec spec, IReadOnlyList<ulong> seeds, Device device)
    {
        spec.Validate();
        if (seeds.Count < 1) throw new ArgumentOutOfRangeException(nameof(seeds), "at least one trial");
        int T = seeds.Count, m = spec.Width, p = spec.InputDim, d = spec.OutputDim, L = spec.Depth;
        Tensor Empty(int rows, int cols) => empty(new long[] { T, rows, cols }, float64, device);
        var a = Empty(m, p);
        var w = Enumerable.Range(0, L).Select(_ => Empty(m, m)).ToArray();
        var v = spec.Block == BlockKind.Res3 ? Enumerable.Range(0, L).Select(_ => Empty(m, m)).ToArray() : null;
        var b = Empty(d, m);
        for (int t = 0; t < T; t++)
        {
            using var scope = NewDisposeScope();
            using var gen = new Generator(seeds[t], device);
            WeightDraws.Fill(spec.Weights, a[t], gen, spec.InputVariance());
            for (int l = 0; l < L; l++)
            {
                WeightDraws.Fill(spec.Weights, w[l][t], gen, spec.BranchVariance());
                if (v is not null) WeightDraws.Fill(spec.Weights, v[l][t], gen, spec.BranchVariance());
            }
            WeightDraws.Fill(spec.Weights, b[t], gen, spec.OutputVariance());
        }
        return new BatchedWeights(a, w, v, b);
    }

    /// <summary>Wraps given weights (copied, detached, float64): A (T×m×p), W_l (T×m×m), V_l for res3, B (T×d×m).</summary>
    public static BatchedWeights Copy(NetworkSpec spec, Tensor a, IReadOnlyList<Tensor> w, IReadOnlyList<Tensor>? v, Tensor b)
    {
        spec.Validate();
        int L = spec.Depth;
        if (w.Count != L) throw new ArgumentException($"expected {L} block weights (got {w.Count})");
        if ((spec.Block == BlockKind.Res3) != (v is not null)) throw new ArgumentException("outer weights V_l are given exactly for res3");
        if (v is not null && v.Count != L) throw new ArgumentException($"expected {L} outer weights (got {v.Count})");
        static Tensor Own(Tensor t) => t.detach().to_type(float64).clone();
        return new BatchedWeights(Own(a), w.Select(Own).ToArray(), v?.Select(Own).ToArray(), Own(b));
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        foreach (var t in W) t.Dispose();
        if (V is not null) foreach (var t in V) t.Dispose();
    }
}
