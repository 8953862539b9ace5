using System.Numerics.Tensors;
using StabilityLab.Models;
using StabilityLab.Randomness;

namespace StabilityLab.Sampling;

/// <summary>
/// The exact O(L·m) sampler of docs/science.md §4: one input, forward and backward, exact in
/// distribution for Gaussian weights, without any m×m matrix.
/// Forward: W_l h ~ N(0, (2/m)‖h‖² I), a fresh vector per layer.
/// Backward: given u = W h, W =ᵈ u hᵀ/‖h‖² + W̃(I − ĥĥᵀ), so
/// Wᵀv = ĥ·√(2/m)(zᵀv) + √(2/m)‖v‖(z̃ − ĥ(ĥᵀz̃)), with u = ‖h‖√(2/m) z and z̃ fresh.
/// Vectors are renormalized every layer (when φ is positively homogeneous) and the log norms
/// accumulated, so τ = 1 at L = 4096 stays finite.
/// Sums, logarithms and tanh are those of <see cref="FixedOrderSums"/> and <see cref="PortableMath"/>, so a trial gives
/// the same bits on every CPU.
/// The forward rows the backward pass reads live on a <see cref="ForwardTape"/>: all of them (≈ 16·m·L bytes), or
/// every k-th with segments recomputed (O(m√L) bytes, the same bits; docs/science.md §4).
/// One instance holds scratch memory: use one per thread.
/// </summary>
public sealed class ExactSampler
{
    private readonly NetworkSpec _spec;
    private readonly SimdPath _path;
    private readonly int _m, _L;
    private readonly double _s; // √(2/m), the weight standard deviation (WeightInit)
    private readonly bool _homogeneous, _fused, _relu;
    private readonly ForwardTape _tape;
    private readonly double[] _h0, _pre, _a, _v, _w, _tmp;
    private readonly Memory<double> _gRow, _gtRow, _gt2Row; // read by every backward pass: whole cache lines (AlignedRows)

    /// <param name="spec">The cell.</param>
    /// <param name="path">The SIMD path of the normals.</param>
    /// <param name="checkpointInterval">0: keep every layer of the forward pass (≈ 16·m·L bytes); k &gt; 0: keep every
    /// k-th layer and recompute the rest in the backward pass (<see cref="ForwardTape"/>; the same bits, O(m√L) memory
    /// at k = <see cref="CheckpointInterval"/>).</param>
    public ExactSampler(NetworkSpec spec, SimdPath path = SimdPath.Auto, int checkpointInterval = 0)
    {
        spec.Validate();
        spec.Block.RequireSampled();
        if (spec.Weights != WeightLaw.Gaussian)
            throw new SpecException($"the exact sampler needs Gaussian weights (got {spec.Weights.Name()}); use the dense sampler");
        _spec = spec;
        _path = path.Resolve();
        _m = spec.Width;
        _L = spec.Depth;
        _s = Math.Sqrt(spec.BranchVariance()); // A and W_l share the variance 2/m
        _homogeneous = spec.Activation.IsPositivelyHomogeneous();
        _fused = spec.Block == BlockKind.Post && _homogeneous;
        _relu = spec.Activation == Activation.Relu;
        _tape = new ForwardTape(spec, checkpointInterval, _path);
        _h0 = new double[_m];
        _pre = new double[_m];
        _a = new double[_m];
        _v = new double[_m];
        _w = new double[_m];
        _gRow = AlignedRows.Row(_m);
        _gtRow = AlignedRows.Row(_m);
        _gt2Row = AlignedRows.Row(_m);
        _tmp = new double[_m];
    }

    public NetworkSpec Spec => _spec;

    private Span<double> G => _gRow.Span;
    private Span<double> Gt => _gtRow.Span;
    private Span<double> Gt2 => _gt2Row.Span;

    /// <summary>Layers between checkpoints of this sampler's forward pass (L: every layer is kept).</summary>
    public int Interval => _tape.Interval;

    /// <summary>The checkpoint interval of least memory for a cell (about √L; see <see cref="ForwardTape.OptimalInterval(NetworkSpec)"/>).</summary>
    public static int CheckpointInterval(NetworkSpec spec) => ForwardTape.OptimalInterval(spec);

    /// <summary>
    /// Bytes one sampler (one worker thread) holds for <paramref name="taus"/> τ schedules per trial: its forward tape
    /// (stored, or checkpointed at <see cref="CheckpointInterval"/>), nine scratch vectors of m, and per τ the trial's
    /// records (forward, backward, weight-gradient traces, log norms and inverse norms: 5·8·L bytes).
    /// </summary>
    public static long WorkingSetBytes(NetworkSpec spec, int taus, bool checkpointed) =>
        ForwardTape.Bytes(spec, checkpointed ? CheckpointInterval(spec) : 0, cacheBackward: taus > 1)
        + 9 * 8L * spec.Width + taus * 40L * (spec.Depth + 1);

    /// <summary>True when one trial's stored forward pass fits in arrays (m·(L+1) values each); else only checkpointing can run it.</summary>
    public static bool StoredFits(NetworkSpec spec) => (long)(spec.Depth + 1) * spec.Width <= Array.MaxLength;

    /// <summary>True when a checkpointed trial's segment (about √(L/2) + 1 rows of m values, the most of any block) fits in an array.</summary>
    public static bool Fits(int width, int depth) => (long)(ForwardTape.OptimalInterval(depth, 2) + 1) * width <= Array.MaxLength;

    /// <summary>Throws <see cref="SpecException"/> when even a checkpointed trial's arrays exceed the largest array.</summary>
    public static void CheckSize(NetworkSpec spec)
    {
        if (!Fits(spec.Width, spec.Depth))
            throw new SpecException($"width × depth = {(long)spec.Depth * spec.Width} is too large for one trial's memory");
    }

    /// <summary>One trial at the spec's own τ rule.</summary>
    public TrialMeasurement Sample(RandomStream stream) => Sample(stream, [_spec.TauSchedule()])[0];

    /// <summary>
    /// One trial for each τ schedule (τ_1..τ_L), all from the same draws: common random numbers.
    /// </summary>
    public TrialMeasurement[] Sample(RandomStream stream, IReadOnlyList<double[]> schedules)
    {
        foreach (var t in schedules)
            if (t.Length != _L) throw new ArgumentException($"a τ schedule needs {_L} values (got {t.Length})");
        NormalGenerator.Fill(stream, RandomStream.Domain(0, StreamIds.Trial.Input), _h0, _path);
        _tape.NewTrial(cacheBackward: schedules.Count > 1);
        var result = new TrialMeasurement[schedules.Count];
        for (int i = 0; i < schedules.Count; i++)
            result[i] = Run(stream, schedules[i]);
        return result;
    }

    /// <summary>
    /// Layer l of the forward pass: x_l from x_{l−1} (both on the tape), logH[l] = log‖h_l‖² and, for the fused post
    /// block, inv[l] = 1/‖x_l‖. A pure function of x_{l−1}, logH[l−1], inv[l−1] and the draws, so the backward pass
    /// recomputes a checkpointed segment with it bit for bit. False when the layer is exactly zero (a dead trial).
    /// </summary>
    private bool Step(int l, double[] tau, double[] logH, double[] inv)
    {
        var xp = _tape.X(l - 1);
        var xn = _tape.X(l);
        var z = _tape.Z(l);
        double t = tau[l - 1];
        if (_fused)
        {
            double n2 = PostBlockKernels.Forward(xp, inv[l - 1], z, t * _s, _relu, xn);
            if (!(n2 > 0) || !double.IsFinite(n2)) return false;
            logH[l] = logH[l - 1] + PortableMath.Log(n2);
            inv[l] = 1 / Math.Sqrt(n2);
            return true;
        }
        switch (_spec.Block)
        {
            case BlockKind.Post:
                // pre = x + τ‖x‖√(2/m) z;  x_l = φ(pre)
                TensorPrimitives.MultiplyAdd(z, t * _s * Norm(xp), xp, _pre);
                _spec.Activation.Apply(_pre, xn);
                break;
            case BlockKind.Res1:
                // x_l = x + τ √(2/m) ‖φ(x)‖ z
                _spec.Activation.Apply(xp, _a);
                TensorPrimitives.MultiplyAdd(z, t * _s * Norm(_a), xp, xn);
                break;
            case BlockKind.Res3:
                // u = √(2/m)‖x‖ z;  x_l = x + τ √(2/m) ‖φ(u)‖ z'
                TensorPrimitives.Multiply(z, _s * Norm(xp), _pre);
                _spec.Activation.Apply(_pre, _a);
                TensorPrimitives.MultiplyAdd(_tape.Z2(l), t * _s * Norm(_a), xp, xn);
                break;
        }
        // Renormalized rows carry their log scale in logH (ls of Normalize); unnormalized ones start from ls = 0.
        double ls = _homogeneous ? logH[l - 1] : 0;
        return Normalize(xn, ref ls, out logH[l]);
    }

    /// <summary>
    /// The forward pass from x_0 (already on the tape): logH[l] and fwd[l] = logH[l] − logH[0] for l = 1..L; false for a dead trial.
    /// </summary>
    private bool Forward(RandomStream stream, double[] tau, double[] logH, double[] inv, double[] fwd)
    {
        for (int l = 1; l <= _L; l++)
        {
            _tape.Enter(l, stream);
            if (!Step(l, tau, logH, inv)) return false;
            fwd[l] = logH[l] - logH[0];
        }
        return true;
    }

    /// <summary>Makes x_{l−1} and the draws of layer l available to the backward pass, recomputing its segment from the checkpoint if needed.</summary>
    private void Recall(int l, RandomStream stream, double[] tau, double[] logH, double[] inv)
    {
        int j = _tape.SegmentOf(l);
        if (j == _tape.Current) return;
        _tape.Restore(j, stream);
        int end = Math.Min((j + 1) * _tape.Interval, _L);
        for (int i = j * _tape.Interval + 1; i < end; i++)
            if (!Step(i, tau, logH, inv)) throw new InvalidOperationException($"layer {i} died when recomputed but not in the forward pass");
    }

    /// <summary>z̃_l (and z̃′_l for res3): from the tape when cached, else drawn now into scratch.</summary>
    private ReadOnlySpan<double> BackwardDraw(RandomStream stream, int l, bool inner)
    {
        if (_tape.CachesBackward) return inner ? _tape.Zt2(l) : _tape.Zt(l);
        var dest = inner ? Gt2 : Gt;
        NormalGenerator.Fill(stream, RandomStream.Domain(l, inner ? StreamIds.Trial.BackwardInner : StreamIds.Trial.Backward), dest, _path);
        return dest;
    }

    private TrialMeasurement Run(RandomStream stream, double[] tau)
    {
        if (_fused) return RunPostHomogeneous(stream, tau);
        var fwd = new double[_L + 1];
        var bwd = new double[_L + 1];
        var wgrad = new double[_L];
        var logH = new double[_L + 1]; // log‖h_l‖², absolute
        var inv = Array.Empty<double>(); // the fused path's inverse norms: unused here

        // h_0 = φ(A x), A x ~ N(0, (2/m) I) for ‖x‖ = 1.
        _tape.BeginForward(stream);
        var x0 = _tape.X(0);
        TensorPrimitives.Multiply(_h0, _s, x0);
        _spec.Activation.Apply(x0, x0);
        double ls = 0; // log of the squared scale: h_l = exp(ls/2) x_l
        if (!Normalize(x0, ref ls, out logH[0])) return TrialMeasurement.DeadTrial(_L);
        if (!Forward(stream, tau, logH, inv, fwd)) return TrialMeasurement.DeadTrial(_L);

        var xL = _tape.X(_L);
        if (!OutputGradient(stream, xL, 1 / Norm(xL), logH[_L], out double lg, out _)) return TrialMeasurement.DeadTrial(_L);
        NormalizeGradient(G, out _); // the general path keeps g at unit norm; lg is already absolute
        double lgL = lg;

        for (int l = _L; l >= 1; l--)
        {
            Recall(l, stream, tau, logH, inv);
            var xp = _tape.X(l - 1);
            var z = _tape.Z(l);
            double t = tau[l - 1];
            var zt = BackwardDraw(stream, l, inner: false);
            double nx = Norm(xp);
            double logW; // log ‖∂F/∂W_l‖² (all weights of block l), before adding lg
            switch (_spec.Block)
            {
                case BlockKind.Post:
                {
                    // v = D_l g;  g_{l-1} = v + τ Wᵀv
                    TensorPrimitives.MultiplyAdd(z, t * _s * nx, xp, _pre);
                    _spec.Activation.MultiplyByDerivative(_pre, G, _v);
                    double nv = Norm(_v);
                    if (nv == 0) return TrialMeasurement.DeadTrial(_L);
                    AddTransposedWeight(_v, nv, xp, nx, z, zt, t, _v);
                    _v.CopyTo(G);
                    // ∂F/∂W_l = τ (D_l g_l) h_{l-1}ᵀ
                    logW = PortableMath.Log(nv * nv) + logH[l - 1];
                    break;
                }
                case BlockKind.Res1:
                {
                    // y = Wᵀg (conditioned on W φ(h));  g_{l-1} = g + τ φ'(h) ⊙ y
                    _spec.Activation.Apply(xp, _a);
                    double na = Norm(_a);
                    if (na == 0) return TrialMeasurement.DeadTrial(_L);
                    _tmp.AsSpan().Clear();
                    AddTransposedWeight(G, 1.0, _a, na, z, zt, 1.0, _tmp);
                    _spec.Activation.MultiplyByDerivative(xp, _tmp, _tmp);
                    TensorPrimitives.MultiplyAdd(_tmp, t, G, G);
                    // ∂F/∂W_l = τ g_l φ(h_{l-1})ᵀ
                    logW = PortableMath.Log(na * na) + logH[l - 1] - PortableMath.Log(nx * nx);
                    break;
                }
                default:
                {
                    // y = Vᵀg (conditioned on V a), w = φ'(u) ⊙ y, g_{l-1} = g + τ Wᵀw (conditioned on W h)
                    var zt2 = BackwardDraw(stream, l, inner: true);
                    TensorPrimitives.Multiply(z, _s * nx, _pre);
                    _spec.Activation.Apply(_pre, _a);
                    double na = Norm(_a);
                    if (na == 0) return TrialMeasurement.DeadTrial(_L);
                    _tmp.AsSpan().Clear();
                    AddTransposedWeight(G, 1.0, _a, na, _tape.Z2(l), zt2, 1.0, _tmp);
                    _spec.Activation.MultiplyByDerivative(_pre, _tmp, _w);
                    double nw = Norm(_w);
                    if (nw == 0) return TrialMeasurement.DeadTrial(_L);
                    _tmp.AsSpan().Clear();
                    AddTransposedWeight(_w, nw, xp, nx, z, zt, 1.0, _tmp);
                    TensorPrimitives.MultiplyAdd(_tmp, t, G, G);
                    // ‖∂F/∂V_l‖² + ‖∂F/∂W_l‖² = τ²(‖g‖²‖a‖² + ‖w‖²‖h‖²), in units of the scaled vectors
                    logW = PortableMath.Log(na * na + nw * nw * nx * nx) + logH[l - 1] - PortableMath.Log(nx * nx);
                    break;
                }
            }
            wgrad[l - 1] = 2 * PortableMath.Log(t) + lg + logW;
            if (!NormalizeGradient(G, out double logN2)) return TrialMeasurement.DeadTrial(_L);
            lg += logN2;
            bwd[l - 1] = lg - lgL;
        }
        return new TrialMeasurement(fwd, bwd, wgrad, logH[0], false);
    }

    /// <summary>
    /// The post block with ReLU or identity φ through the fused kernels of <see cref="PostBlockKernels"/>:
    /// the same mathematics as the general path, with rows x_l stored unnormalized
    /// (h_l = ‖h_{l−1}‖·x_l) and the gradient kept in a buffer read through its inverse norm.
    /// </summary>
    private TrialMeasurement RunPostHomogeneous(RandomStream stream, double[] tau)
    {
        var fwd = new double[_L + 1];
        var bwd = new double[_L + 1];
        var wgrad = new double[_L];
        var logH = new double[_L + 1];
        var inv = new double[_L + 1]; // 1/‖x_l‖

        // h_0 = φ(√(2/m) z_0) = √(2/m) φ(z_0)
        _tape.BeginForward(stream);
        var x0 = _tape.X(0);
        _spec.Activation.Apply(_h0, x0);
        double n0 = FixedOrderSums.SumOfSquares(x0);
        if (!(n0 > 0)) return TrialMeasurement.DeadTrial(_L);
        logH[0] = PortableMath.Log(_s * _s) + PortableMath.Log(n0);
        inv[0] = 1 / Math.Sqrt(n0);
        if (!Forward(stream, tau, logH, inv, fwd)) return TrialMeasurement.DeadTrial(_L);

        if (!OutputGradient(stream, _tape.X(_L), inv[_L], logH[_L], out double lg, out double gn2)) return TrialMeasurement.DeadTrial(_L);
        double lgL = lg;
        if (_relu) PostBlockKernels.Mask(_tape.X(_L), G); // D_L g_L: the backward passes read g with its layer's mask applied

        for (int l = _L; l >= 1; l--)
        {
            Recall(l, stream, tau, logH, inv);
            var xp = _tape.X(l - 1);
            var z = _tape.Z(l);
            var zt = BackwardDraw(stream, l, inner: false);
            double t = tau[l - 1], c = t * _s, ginv = 1 / Math.Sqrt(gn2), ip = inv[l - 1];
            var (nv2, zv, xzt) = PostBlockKernels.BackwardReduce(xp, z, zt, G, ginv);
            if (!(nv2 > 0)) return TrialMeasurement.DeadTrial(_L);
            double nv = Math.Sqrt(nv2);
            // g_{l-1} = v + τ Wᵀv = v + τ√(2/m) [‖v‖ z̃ + ĥ (zᵀv − ‖v‖ ĥᵀz̃)], ĥ = xp·ip
            double a = c * nv, b = c * (zv - nv * xzt * ip) * ip;
            wgrad[l - 1] = 2 * PortableMath.Log(t) + lg + PortableMath.Log(nv2) + logH[l - 1];
            gn2 = PostBlockKernels.BackwardUpdate(xp, zt, G, ginv, _relu, a, b);
            if (!(gn2 > 0) || !double.IsFinite(gn2)) return TrialMeasurement.DeadTrial(_L);
            lg += PortableMath.Log(gn2);
            bwd[l - 1] = lg - lgL;
        }
        return new TrialMeasurement(fwd, bwd, wgrad, logH[0], false);
    }

    /// <summary>
    /// g_L = Bᵀ B h_L into G (unnormalized), with B ~ N(0, 1/d): given r = B h_L = (‖h_L‖/√d) ζ,
    /// g_L = (‖h_L‖‖ζ‖/d) [ĥ(‖ζ‖ − ĥᵀz̃) + z̃] (the conditional law of docs/science.md §4 applied to B).
    /// xL is h_L up to scale, invNorm = 1/‖xL‖, logHL = log‖h_L‖². Returns log‖g_L‖² (absolute) and
    /// ‖G‖²; false when the gradient is exactly zero.
    /// </summary>
    private bool OutputGradient(RandomStream stream, ReadOnlySpan<double> xL, double invNorm, double logHL, out double logG, out double bufferNorm2)
    {
        int d = _spec.OutputDim;
        Span<double> zeta = d <= 256 ? stackalloc double[d] : new double[d];
        NormalGenerator.Fill(stream, RandomStream.Domain(_L + 1, StreamIds.Trial.OutputProjection), zeta, _path);
        double nzeta = Math.Sqrt(FixedOrderSums.SumOfSquares(zeta));
        NormalGenerator.Fill(stream, RandomStream.Domain(_L + 1, StreamIds.Trial.OutputBackward), Gt, _path);
        TensorPrimitives.MultiplyAdd(xL, invNorm * (nzeta - invNorm * FixedOrderSums.Dot(xL, Gt)), Gt, G);
        bufferNorm2 = FixedOrderSums.SumOfSquares(G);
        logG = PortableMath.Log(bufferNorm2) + logHL + 2 * PortableMath.Log(nzeta) - 2 * PortableMath.Log(d);
        return bufferNorm2 > 0 && double.IsFinite(bufferNorm2);
    }

    /// <summary>
    /// acc += τ Wᵀv for W conditioned on W h = ‖h‖√(2/m) z (docs/science.md §4):
    /// Wᵀv = √(2/m) [ ‖v‖ z̃ + ĥ (zᵀv − ‖v‖ ĥᵀz̃) ], ĥ = h/‖h‖.
    /// acc may alias v.
    /// </summary>
    private void AddTransposedWeight(ReadOnlySpan<double> v, double nv, ReadOnlySpan<double> h, double nh,
        ReadOnlySpan<double> z, ReadOnlySpan<double> zt, double tau, Span<double> acc)
    {
        double zv = FixedOrderSums.Dot(z, v);
        double hz = FixedOrderSums.Dot(h, zt) / nh;
        double ch = tau * _s * (zv - nv * hz) / nh;
        TensorPrimitives.MultiplyAdd(zt, tau * _s * nv, acc, acc);
        TensorPrimitives.MultiplyAdd(h, ch, acc, acc);
    }

    /// <summary>
    /// Renormalizes x when φ is positively homogeneous, moving its log squared norm into ls;
    /// returns log‖h‖² (absolute). False when x is exactly zero (a dead layer).
    /// </summary>
    private bool Normalize(Span<double> x, ref double ls, out double logNorm2)
    {
        double n2 = FixedOrderSums.SumOfSquares(x);
        logNorm2 = 0;
        if (!(n2 > 0) || !double.IsFinite(n2)) return false;
        if (_homogeneous)
        {
            TensorPrimitives.Multiply(x, 1.0 / Math.Sqrt(n2), x);
            ls += PortableMath.Log(n2);
            logNorm2 = ls;
        }
        else
        {
            logNorm2 = ls + PortableMath.Log(n2);
        }
        return true;
    }

    /// <summary>Scales g to unit norm (the backward pass is linear in g); false when g is zero.</summary>
    private static bool NormalizeGradient(Span<double> g, out double logNorm2)
    {
        double n2 = FixedOrderSums.SumOfSquares(g);
        logNorm2 = PortableMath.Log(n2);
        if (!(n2 > 0) || !double.IsFinite(n2)) return false;
        TensorPrimitives.Multiply(g, 1.0 / Math.Sqrt(n2), g);
        return true;
    }

    private static double Norm(ReadOnlySpan<double> x) => Math.Sqrt(FixedOrderSums.SumOfSquares(x));
}
