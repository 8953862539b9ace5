using StabilityLab.Randomness;
using StabilityLab.Spectral;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Spectral;

/// <summary>
/// Operator norms ‖J_b···J_a‖₂ of block products for a set of pairs (a, b), batched over T networks, from the
/// layer Jacobians (L × T × m × m, <see cref="DenseNetwork.LayerJacobians"/>). Products are materialized by a
/// sweep over the product length s = b − a: every start a that a pair needs carries M_{a,a+s} = J_{a+s} M_{a,a+s−1}
/// (one batched matrix product per step for all starts and networks, renormalized by its Frobenius norm with the
/// log kept), and the pairs ending at a + s get σ₁ by <see cref="OperatorNorm.Lanczos"/>. All pairs of depth L
/// cost L(L+1)/2 matrix products per network.
/// </summary>
public static class BlockProducts
{
    /// <param name="jacobians">L × T × m × m layer Jacobians.</param>
    /// <param name="pairs">Pairs 1 ≤ a ≤ b ≤ L; the result rows follow this order.</param>
    /// <param name="spectrumOf">When set, the full singular-value spectrum of this pair's product is also returned.</param>
    /// <param name="tolerance">Relative tolerance of each Lanczos estimate of σ₁.</param>
    /// <param name="maxSteps">Lanczos steps at most per product.</param>
    /// <param name="generator">Start vectors' generator (default: a fixed seed, so results repeat).</param>
    public static BlockProductNorms Compute(Tensor jacobians, IReadOnlyList<BlockPair> pairs, double tolerance = OperatorNorm.DefaultTolerance,
        int maxSteps = OperatorNorm.DefaultMaxSteps, Generator? generator = null, BlockPair? spectrumOf = null)
    {
        if (jacobians.dim() != 4 || jacobians.shape[2] != jacobians.shape[3]) throw new ArgumentException("expected L × T × m × m Jacobians");
        int L = (int)jacobians.shape[0], T = (int)jacobians.shape[1], m = (int)jacobians.shape[2];
        var index = new Dictionary<BlockPair, int>();
        for (int k = 0; k < pairs.Count; k++)
        {
            var p = pairs[k];
            if (p.Start < 1 || p.End < p.Start || p.End > L) throw new ArgumentException($"pair {p} is outside 1 ≤ a ≤ b ≤ {L}");
            index.TryAdd(p, k);
        }
        if (spectrumOf is { } sp && (sp.Start < 1 || sp.End < sp.Start || sp.End > L)) throw new ArgumentException($"pair {sp} is outside 1 ≤ a ≤ b ≤ {L}");
        var maxEnd = new SortedDictionary<int, int>();
        foreach (var p in pairs.Concat(spectrumOf is { } whole ? [whole] : []))
            maxEnd[p.Start] = Math.Max(maxEnd.GetValueOrDefault(p.Start), p.End);

        var logSq = new double[pairs.Count, T];
        var steps = new int[pairs.Count, T];
        var converged = new bool[pairs.Count, T];
        double[][]? spectrum = null;
        var gen = generator ?? new Generator(StreamIds.Spectral.TorchStartVectorSeed, jacobians.device);

        using var scope = NewDisposeScope();
        var starts = maxEnd.Keys.ToList();
        if (starts.Count == 0) return new BlockProductNorms(pairs.ToArray(), logSq, steps, converged, spectrum);
        Tensor cur, scale; // nA × T × m × m products and nA × T logs of their squared scales
        using (var init = NewDisposeScope())
        {
            var first = Take(jacobians, starts.Select(a => a - 1).ToList()).clone();
            var (c0, s0) = Renormalize(first, zeros(new long[] { starts.Count, T }, float64, jacobians.device));
            cur = c0.MoveToOuterDisposeScope();
            scale = s0.MoveToOuterDisposeScope();
        }
        for (int s = 0; starts.Count > 0; s++)
        {
            if (s > 0)
            {
                var keep = Enumerable.Range(0, starts.Count).Where(i => starts[i] + s <= maxEnd[starts[i]]).ToList();
                if (keep.Count == 0) break;
                using var step = NewDisposeScope();
                Tensor prev = cur, prevScale = scale;
                if (keep.Count < starts.Count)
                {
                    prev = Take(cur, keep);
                    prevScale = Take(scale, keep);
                    starts = keep.Select(i => starts[i]).ToList();
                }
                var next = matmul(Take(jacobians, starts.Select(a => a + s - 1).ToList()), prev);
                var (nc, ns) = Renormalize(next, prevScale);
                // Free the previous step's products now: the sweep would otherwise hold every length at once.
                cur.Dispose();
                scale.Dispose();
                cur = nc.MoveToOuterDisposeScope();
                scale = ns.MoveToOuterDisposeScope();
            }
            var ending = Enumerable.Range(0, starts.Count).Where(i => index.ContainsKey(new BlockPair(starts[i], starts[i] + s))).ToList();
            if (ending.Count > 0)
            {
                using var eval = NewDisposeScope();
                var mats = Take(cur, ending).reshape(ending.Count * T, m, m);
                var sc = Take(scale, ending).reshape(-1).cpu().contiguous().data<double>().ToArray();
                var top = OperatorNorm.Lanczos(mats, tolerance, maxSteps, gen);
                for (int e = 0; e < ending.Count; e++)
                {
                    int k = index[new BlockPair(starts[ending[e]], starts[ending[e]] + s)];
                    for (int t = 0; t < T; t++)
                    {
                        int f = e * T + t;
                        double sig = top.Sigma[f];
                        logSq[k, t] = sig > 0 && double.IsFinite(sc[f]) ? 2 * Math.Log(sig) + sc[f] : double.NegativeInfinity;
                        steps[k, t] = top.Steps[f];
                        converged[k, t] = top.Converged[f];
                    }
                }
            }
            if (spectrumOf is { } sp2 && starts.Contains(sp2.Start) && sp2.Start + s == sp2.End)
            {
                using var sv = NewDisposeScope();
                int pos = starts.IndexOf(sp2.Start);
                var vals = linalg.svdvals(cur[pos]).cpu().contiguous().data<double>().ToArray(); // T × m, descending
                var sc = scale[pos].cpu().data<double>().ToArray();
                spectrum = new double[T][];
                for (int t = 0; t < T; t++)
                    spectrum[t] = Enumerable.Range(0, m).Select(i => vals[t * m + i] > 0 ? 2 * Math.Log(vals[t * m + i]) + sc[t] : double.NegativeInfinity).ToArray();
            }
        }
        return new BlockProductNorms(pairs.ToArray(), logSq, steps, converged, spectrum);
    }

    /// <summary>Divides each product by its Frobenius norm and adds log ‖M‖_F² to the scale (a zero product keeps scale −∞).</summary>
    private static (Tensor, Tensor) Renormalize(Tensor x, Tensor scale)
    {
        var f2 = x.square().sum(new long[] { 2, 3 });
        return (x / f2.sqrt().clamp_min(TorchScalars.Of(1e-300)).unsqueeze(-1).unsqueeze(-1), scale.Plus(f2.log()));
    }

    /// <summary>Rows idx of x along dim 0: a view when idx is a run of consecutive indices (the all-pairs sweep), else a copy.</summary>
    private static Tensor Take(Tensor x, List<int> idx)
    {
        bool run = idx.Count > 0 && idx[^1] - idx[0] == idx.Count - 1 && idx.Zip(idx.Skip(1)).All(t => t.Second == t.First + 1);
        return run ? x.narrow(0, idx[0], idx.Count) : x.index_select(0, tensor(idx.Select(v => (long)v).ToArray(), int64, x.device));
    }
}

/// <summary>
/// log ‖J_b···J_a‖₂² for each pair (rows, in the order given) and network (columns), with the Lanczos steps and
/// convergence flags; Spectrum[t] holds log σ_i² (descending) of the requested pair's product for network t.
/// A product that is exactly zero (a dead ReLU network) has log −∞.
/// </summary>
public sealed record BlockProductNorms(BlockPair[] Pairs, double[,] LogSq, int[,] Steps, bool[,] Converged, double[][]? Spectrum);
