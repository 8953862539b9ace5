using MathNet.Numerics;

namespace StabilityLab.Theory;

/// <summary>
/// The point set of a two-scale density grid (docs/finite-width.md §3): on the lattice x_k = k·h, every point
/// k = 0..FineCount−1 near the ReLU jump at 0 (where the law has structure on the scale σ of one layer) and every
/// Step-th point k = CoarseFrom, CoarseFrom + Step, … in the bulk (where it is smooth on scales ≫ σ). A smooth partition
/// of unity χ(k) = ½ erfc((k − M)/S) (S ≥ 1.5·Step lattice steps and ≥ 1.1σ, M = 5S) splits every integral ∫F between the two:
/// ∫F ≈ Σ_fine h·w_k·χ(k)·F(x_k) + Σ_coarse Step·h·(1 − χ(k))·F(x_k) (w Gregory's end weights at the jump). Each part is
/// the trapezoid rule on a function smooth on its own scale (χ's spectrum is e^{−ω²S²/4}), so with Step·h ≤ σ the coarse
/// sums of Gaussian-kernel products keep the trapezoid's spectral accuracy (aliasing 2e^{−2π²σ²/(Step·h)²} ≤ 5e-9) while
/// the fine points resolve the jump. Both parts sample the same function: a point present in both has one value twice.
/// </summary>
internal sealed class TwoScaleLayout
{
    private TwoScaleLayout(int step, double scale, int fineCount, int coarseCount, double[] fineFactor, double[] coarseHead)
    {
        Step = step;
        Scale = scale;
        FineCount = fineCount;
        CoarseCount = coarseCount;
        _fineFactor = fineFactor;
        _coarseHead = coarseHead;
    }

    private readonly double[] _fineFactor;
    private readonly double[] _coarseHead;

    /// <summary>Lattice steps between coarse points.</summary>
    public int Step { get; }

    /// <summary>The partition's scale S in lattice steps (χ = ½ erfc((k − 5S)/S); the fine part ends at 10S).</summary>
    public double Scale { get; }

    public int FineCount { get; }

    public int CoarseCount { get; }

    /// <summary>Lattice index of the first coarse point (the fine part's weight is 1 − 1e-9 there, the coarse part's 1e-9).</summary>
    public int CoarseFrom => Step;

    public int Count => FineCount + CoarseCount;

    /// <summary>Lattice index k of point i (x_i = k·h).</summary>
    public int Lattice(int i) => i < FineCount ? i : CoarseFrom + Step * (i - FineCount);

    /// <summary>Quadrature weight of point i in units of h: Gregory's weight × χ (fine), Step × (1 − χ) (coarse).</summary>
    public double WeightFactor(int i)
    {
        if (i < FineCount) return _fineFactor[i];
        int j = i - FineCount;
        return j < _coarseHead.Length ? _coarseHead[j] : Step;
    }

    /// <summary>
    /// Σ_i a_i·WeightFactor(i)·v_i in index order, the product for each point formed as ((a_i·factor)·v_i) with a_i = density_i·h:
    /// the quadrature of the law's loops without a branch per point (the three runs of factors: fine, coarse head, Step).
    /// </summary>
    public double WeightedSum(double start, ReadOnlySpan<double> density, double h, ReadOnlySpan<double> v)
    {
        double s = start;
        int n = Count, f = FineCount, headEnd = Math.Min(n, f + _coarseHead.Length);
        var fine = _fineFactor;
        for (int i = 0; i < f; i++) s += density[i] * h * fine[i] * v[i];
        var head = _coarseHead;
        for (int i = f; i < headEnd; i++) s += density[i] * h * head[i - f] * v[i];
        double step = Step;
        for (int i = headEnd; i < n; i++) s += density[i] * h * step * v[i];
        return s;
    }

    /// <summary>dst_i = (c·WeightFactor(i))·src_i (or dst_i = src_i·WeightFactor(i) when c is null), without a branch per point.</summary>
    public void ScaleByFactors(double? c, ReadOnlySpan<double> src, Span<double> dst)
    {
        int n = Count, f = FineCount, headEnd = Math.Min(n, f + _coarseHead.Length);
        var fine = _fineFactor;
        var head = _coarseHead;
        double step = Step;
        if (c is { } k)
        {
            for (int i = 0; i < f; i++) dst[i] = k * fine[i] * src[i];
            for (int i = f; i < headEnd; i++) dst[i] = k * head[i - f] * src[i];
            for (int i = headEnd; i < n; i++) dst[i] = k * step * src[i];
        }
        else
        {
            for (int i = 0; i < f; i++) dst[i] = src[i] * fine[i];
            for (int i = f; i < headEnd; i++) dst[i] = src[i] * head[i - f];
            for (int i = headEnd; i < n; i++) dst[i] = src[i] * step;
        }
    }

    /// <summary>The layout with the given step and partition scale whose lattice covers 0..kHi (beyond the fine part).</summary>
    public static TwoScaleLayout Covering(int step, double scale, int kHi)
    {
        var (fine, head) = Factors(step, scale);
        if (kHi < fine.Length + step) throw new InvalidOperationException($"a two-scale grid needs a support of more than {fine.Length + step} points (got {kHi + 1})");
        int coarse = (kHi - step) / step + 1;
        return new TwoScaleLayout(step, scale, fine.Length, coarse, fine, head);
    }

    /// <summary>Points of the fine part for a partition scale S (lattice steps).</summary>
    public static int FinePoints(double scale) => (int)Math.Ceiling(10 * scale) + 1;

    /// <summary>
    /// The partition's scale S per coarse step where the spacing is σ/PointsPerSigma: 1.5, i.e. S = 1.1σ for Step = 3 at 4 points
    /// per σ, the fine part ending at 11σ (measured: S = 1.1σ keeps every moment within 1e-8 of the uniform grid at τ = 1/√L,
    /// while a fine part of 1.6σ, the same S in lattice steps where the spacing is capped at σ/28 (τ = 1), moved the backward
    /// mean by 1.5e-4).
    /// </summary>
    internal const double PartitionWidth = 1.5;

    private static readonly Dictionary<(int, double), (double[] Fine, double[] CoarseHead)> FactorCache = new();

    private static (double[] Fine, double[] CoarseHead) Factors(int step, double scale)
    {
        lock (FactorCache)
        {
            if (FactorCache.TryGetValue((step, scale), out var known)) return known;
            double s = scale, mid = 5 * s;
            int fineCount = FinePoints(s);
            double Chi(int k) => 0.5 * SpecialFunctions.Erfc((k - mid) / s);
            var greg = GregoryWeights.Left;
            var fine = new double[fineCount];
            for (int k = 0; k < fineCount; k++) fine[k] = (k < greg.Length ? greg[k] : 1) * Chi(k);
            var head = new List<double>();
            for (int k = step; k < fineCount; k += step) head.Add(step * (1 - Chi(k)));
            var f = (fine, head.ToArray());
            FactorCache[(step, scale)] = f;
            return f;
        }
    }

    /// <summary>Forward: dst_i += atom·c[k_i] for every point within the band (the atom at 0 convolved with the kernel).</summary>
    public void AddAtom(double atom, ReadOnlySpan<double> c, Span<double> dst)
    {
        int band = c.Length - 1;
        for (int i = 0; i < Count; i++)
        {
            int k = Lattice(i);
            if (k > band) { if (i >= FineCount) break; continue; }
            dst[i] += atom * c[k];
        }
    }

    /// <summary>Transpose of a kernel w (index d + B, d = k_out − k_in) at the atom k_in = 0: Σ_i src_i·w[k_i + B] over points within the band.</summary>
    public double AtomTranspose(ReadOnlySpan<double> w, ReadOnlySpan<double> src)
    {
        int band = (w.Length - 1) / 2;
        double s = 0;
        for (int i = 0; i < Count; i++)
        {
            int k = Lattice(i);
            if (k > band) { if (i >= FineCount) break; continue; }
            s += w[k + band] * src[i];
        }
        return s;
    }

    /// <summary>
    /// The banded kernel between two layouts on one lattice: forward dst_out[i] += Σ_j w[k_i − k_j + B]·src_in[j], or
    /// (transpose) dst_in[j] += Σ_i w[k_i − k_j + B]·src_out[i]. Fine–fine and coarse–coarse blocks are Toeplitz bands
    /// (<see cref="BandCorrelation"/>, the coarse one with every Step-th tap), the two cross blocks short loops near the
    /// partition. Fixed order of terms: deterministic.
    /// </summary>
    public static void Correlate(TwoScaleLayout input, TwoScaleLayout output, ReadOnlySpan<double> src, ReadOnlySpan<double> w, Span<double> dst,
        bool transpose, DensityGridOptions opt)
    {
        if (input.Step != output.Step) throw new InvalidOperationException("two-scale layouts of different steps");
        int q = input.Step, band = (w.Length - 1) / 2, nfi = input.FineCount, nfo = output.FineCount;
        // Fine–fine.
        if (!transpose) DensityEvolution.Correlate(src[..nfi], 0, -1, w, dst[..nfo], opt);
        else DensityEvolution.Correlate(src[..nfo], 0, 1, w, dst[..nfi], opt);
        // Coarse–coarse: d = k_out − k_in = q·(t − j) (both start at lattice q).
        int bc = band / q;
        Span<double> wc = stackalloc double[2 * bc + 1];
        for (int d = -bc; d <= bc; d++) wc[d + bc] = w[q * d + band];
        if (!transpose) DensityEvolution.Correlate(src[nfi..input.Count], 0, -1, wc, dst[nfo..output.Count], opt);
        else DensityEvolution.Correlate(src[nfo..output.Count], 0, 1, wc, dst[nfi..input.Count], opt);
        // The two cross blocks near the partition, as lattice correlations (vectorized, BandCorrelation) on the lattice
        // 0..K: a coarse part enters as its points spread onto the lattice with zeros between, and leaves by taking its points
        // from a lattice result. The terms are those of the direct loops, in the same order (a zero term adds ±0, which leaves
        // a sum unchanged), and a sum that was formed apart (s = Σ …; dst += s) is formed apart in a zeroed buffer: same bits.
        // Fine input ↔ coarse output (k_out = q + q·t, every one with k_out − band ≤ nfi − 1).
        CrossBlock(src, w, dst, q, band, nfi, nfo, output.CoarseCount, fineIsInput: true, transpose, opt);
        // Coarse input ↔ fine output (k_in = q + q·j).
        CrossBlock(src, w, dst, q, band, nfi, nfo, input.CoarseCount, fineIsInput: false, transpose, opt);
    }

    /// <summary>
    /// One cross block of <see cref="Correlate"/> between the fine part of one layout and the coarse part of the other
    /// (<paramref name="coarseCount"/> points at lattice q + q·t): forward dst_out += W src_in, transpose dst_in += Wᵀ src_out.
    /// </summary>
    private static void CrossBlock(ReadOnlySpan<double> src, ReadOnlySpan<double> w, Span<double> dst, int q, int band, int nfi, int nfo,
        int coarseCount, bool fineIsInput, bool transpose, DensityGridOptions opt)
    {
        int nFine = fineIsInput ? nfi : nfo;
        int last = nFine - 1 + band; // the largest lattice index of a coarse point that meets the fine part
        int count = Math.Min(coarseCount, last >= q ? (last - q) / q + 1 : 0);
        if (count == 0) return;
        int len = q + q * (count - 1) + 1;
        // Which side holds the fine values and which the coarse ones, in src and in dst.
        bool fineInSrc = fineIsInput != transpose;
        int srcCoarse = transpose ? nfo : nfi, dstCoarse = transpose ? nfi : nfo;
        var rented = System.Buffers.ArrayPool<double>.Shared.Rent(len + 2 * w.Length);
        try
        {
            var lattice = rented.AsSpan(0, len);
            lattice.Clear();
            var reversed = rented.AsSpan(len, w.Length);
            for (int i = 0; i < w.Length; i++) reversed[i] = w[w.Length - 1 - i];
            // A correlation with dir = +1 reads tap d + band at d = (source index − output index); the forward blocks need
            // w[k_out − k_in + band] = reversed[d + band], the transposes w[d + band].
            ReadOnlySpan<double> taps = transpose ? w : reversed;
            if (fineInSrc)
            {
                // Sum formed apart: lattice[k] = Σ_j taps·src_fine[j], then dst_coarse[t] += lattice[q + q·t].
                DensityEvolution.Correlate(src[..nFine], 0, 1, taps, lattice, opt);
                for (int t = 0; t < count; t++) dst[dstCoarse + t] += lattice[q + q * t];
            }
            else
            {
                // Terms added straight into dst_fine, coarse point by coarse point: the coarse values spread on the lattice.
                for (int t = 0; t < count; t++) lattice[q + q * t] = src[srcCoarse + t];
                DensityEvolution.Correlate(lattice, 0, 1, taps, dst[..nFine], opt);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(rented);
        }
    }
}
