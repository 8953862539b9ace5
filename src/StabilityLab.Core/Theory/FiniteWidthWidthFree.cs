namespace StabilityLab.Theory;

/// <summary>
/// The part of <see cref="FiniteWidthTheory.Predict"/> that does not depend on the width m (docs/finite-width.md §2–§5):
/// the per-layer log r_l and ν_l of density evolution, the isotropic part's log(‖g_l‖²/‖g_L‖²) and m·Var of its log, and
/// the coherent part's log E‖g_0‖². m only divides the variances, so cells that share a τ schedule (several widths, or
/// `fit` and then the figures in one process) reuse one evolution: a small cache keyed by the schedule and grid.
/// </summary>
internal sealed record FiniteWidthWidthFree(double[] LogR, double[] Noise, double[] IncLogRatio, double CohLogRatio0, double MVarInc)
{
    /// <summary>Schedules kept; the cache is emptied when full (a cached result is bit for bit the computed one).</summary>
    private const int CacheSize = 64;

    private static readonly Dictionary<Key, FiniteWidthWidthFree> Cache = new();

    /// <summary>Grid points × layers from which the two backward runs go on two cores.</summary>
    private const double ParallelFromPoints = 2e5;

    public static FiniteWidthWidthFree Cached(double[] tau, DensityGridOptions grid)
    {
        var key = new Key(tau, grid);
        lock (Cache)
            if (Cache.TryGetValue(key, out var known)) return known;
        var w = Compute(tau, grid);
        lock (Cache)
        {
            if (Cache.Count >= CacheSize) Cache.Clear();
            Cache[key] = w;
        }
        return w;
    }

    public static FiniteWidthWidthFree Compute(IReadOnlyList<double> tau, DensityGridOptions grid)
    {
        var layers = FiniteWidthLayers.Evolve(tau, grid);
        // The two backward runs are independent given the forward layers: on large grids the coherent one goes on a
        // second core (each run's arithmetic is the same whichever thread does it, so the result is deterministic);
        // on small ones handing it over would cost more than it saves.
        FiniteWidthBackward.Result inc = default, coh = default;
        double mVar = 0;
        Action isotropic = () => { inc = FiniteWidthBackward.Run(layers, coherent: false); mVar = FiniteWidthBackwardVariance.Compute(layers, inc); };
        Action coherent = () => coh = FiniteWidthBackward.Run(layers, coherent: true);
        if (FiniteWidthLayers.StoredPoints(tau, grid) >= ParallelFromPoints) Parallel.Invoke(isotropic, coherent);
        else { isotropic(); coherent(); }
        return new FiniteWidthWidthFree(layers.LogR, layers.Noise, inc.LogRatio, coh.LogRatio[0], mVar);
    }

    private readonly struct Key(double[] tau, DensityGridOptions grid) : IEquatable<Key>
    {
        private readonly double[] _tau = (double[])tau.Clone();
        private readonly int _hash = HashCode.Combine(grid, tau.Length, tau.Length > 0 ? tau[0] : 0, tau.Length > 0 ? tau[^1] : 0, tau.Sum());

        public bool Equals(Key other) => _hash == other._hash && grid == other.Grid && _tau.AsSpan().SequenceEqual(other._tau);

        private DensityGridOptions Grid => grid;

        public override bool Equals(object? obj) => obj is Key k && Equals(k);

        public override int GetHashCode() => _hash;
    }
}
