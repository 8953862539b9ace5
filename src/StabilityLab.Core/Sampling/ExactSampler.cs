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
/// accumulated, so τ = 1 at L = 4096 stays finite; the post block with ReLU or identity keeps them unnormalized up to
/// exact powers of two instead (<see cref="RunPostHomogeneous"/>).
/// Sums, logarithms and tanh are those of <see cref="FixedOrderSums"/> and <see cref="PortableMath"/>, so a trial gives
/// the same bits on every CPU.
/// The forward rows the backward pass reads live on a <see cref="ForwardTape"/>: all of them (8 to 24·m·L bytes), or
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
    // The fused post path's per-layer squared norms of the rows x_l, of the gradient buffer and of v_l, whose logarithms
    // are taken in place for all layers at once after each pass; ln τ_l; the rows' norms.
    private readonly double[] _forward2, _backward2, _branch2, _tauLogs, _rowNorm;
    private readonly int[] _rowScale, _gradScale; // the powers of two taken out of row x_l and out of the gradient buffer at layer l

    /// <param name="spec">The cell.</param>
    /// <param name="path">The SIMD path of the normals.</param>
    /// <param name="checkpointInterval">0: keep every layer of the forward pass (8 to 24·m·L bytes); k &gt; 0: keep every
    /// k-th layer and recompute the rest in the backward pass (<see cref="ForwardTape"/>; the same bits, O(m√L) memory
    /// at k = <see cref="CheckpointInterval"/>).</param>
    public ExactSampler(NetworkSpec spec, SimdPath path = SimdPath.Auto, int checkpointInterval = 0)
        : this(spec, path, checkpointInterval, fusedPost: true)
    {
    }

    /// <summary>
    /// <paramref name="fusedPost"/> false runs the post block with ReLU or identity through the general path (rows
    /// renormalized every layer, z_l read backward): the reference the fused path is tested against.
    /// </summary>
    internal ExactSampler(NetworkSpec spec, SimdPath path, int checkpointInterval, bool fusedPost)
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
        _fused = fusedPost && ForwardTape.DrawsOnlyForward(spec);
        _relu = spec.Activation == Activation.Relu;
        _tape = new ForwardTape(spec, checkpointInterval, _path, drawsOnlyForward: _fused);
        _h0 = new double[_m];
        _pre = new double[_m];
        _a = new double[_m];
        _v = new double[_m];
        _w = new double[_m];
        _gRow = AlignedRows.Row(_m);
        _gtRow = AlignedRows.Row(_m);
        _gt2Row = AlignedRows.Row(_m);
        _tmp = new double[_m];
        int perLayer = _fused ? _L + 1 : 0;
        _forward2 = new double[perLayer];
        _rowNorm = new double[perLayer];
        _rowScale = new int[perLayer];
        _gradScale = new int[perLayer];
        _backward2 = new double[perLayer];
        _branch2 = new double[perLayer];
        _tauLogs = new double[perLayer];
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
    /// (stored, or checkpointed at <see cref="CheckpointInterval"/>), nine scratch vectors of m, per τ the trial's
    /// records (forward, backward, weight-gradient traces, log norms and inverse norms: 5·8·L bytes) and, for the fused
    /// post path, its per-layer norms, scales and logarithms (6·8·L bytes).
    /// </summary>
    public static long WorkingSetBytes(NetworkSpec spec, int taus, bool checkpointed) =>
        ForwardTape.Bytes(spec, checkpointed ? CheckpointInterval(spec) : 0, cacheBackward: taus > 1)
        + 9 * 8L * spec.Width + taus * 40L * (spec.Depth + 1) + (ForwardTape.DrawsOnlyForward(spec) ? 48L * (spec.Depth + 1) : 0);

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
    /// Layer l of the forward pass: x_l from x_{l−1} (both on the tape), logH[l] = log‖h_l‖² or, for the fused post
    /// block, ‖x_l‖², ‖x_l‖, 1/‖x_l‖ and the row's power-of-two scale (logH after the pass). A pure function of layer l − 1's
    /// row and values and of the draws, so the backward pass recomputes a checkpointed segment with it bit for bit.
    /// False when the layer is exactly zero (a dead trial).
    /// </summary>
    private bool Step(int l, double[] tau, double[] logH, double[] inv)
    {
        var xp = _tape.X(l - 1);
        var xn = _tape.X(l);
        var z = _tape.Z(l);
        double t = tau[l - 1];
        if (_fused)
        {
            // x_l = φ(x_{l−1} + τ√(2/m)‖x_{l−1}‖ z) = ‖x_{l−1}‖·φ(x̂_{l−1} + τ√(2/m) z): the step on unit vectors times a norm
            double n2 = PostBlockKernels.Forward(xp, z, t * _s * _rowNorm[l - 1], _relu, xn);
            if (!(n2 > 0) || !double.IsFinite(n2)) return false;
            _rowScale[l] = KeepInRange(xn, ref n2);
            _forward2[l] = n2;
            _rowNorm[l] = Math.Sqrt(n2);
            inv[l] = 1 / _rowNorm[l];
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
            _tape.Enter(l);
            _tape.Draw(l, stream);
            if (!Step(l, tau, logH, inv)) return false;
            if (!_fused) fwd[l] = logH[l] - logH[0];
        }
        return true;
    }

    /// <summary>Makes x_{l−1} and the draws of layer l available to the backward pass, recomputing its segment from the checkpoint if needed.</summary>
    private void Recall(int l, RandomStream stream, double[] tau, double[] logH, double[] inv)
    {
        int j = _tape.SegmentOf(l);
        if (j == _tape.Current) return;
        _tape.Restore(j);
        int end = Math.Min((j + 1) * _tape.Interval, _L);
        for (int i = j * _tape.Interval + 1; i < end; i++)
        {
            _tape.Draw(i, stream);
            if (!Step(i, tau, logH, inv)) throw new InvalidOperationException($"layer {i} died when recomputed but not in the forward pass");
        }
        if (!_fused) _tape.Draw(end, stream); // the fused backward pass reads no forward draw
    }

    /// <summary>
    /// z̃_l of the fused post path: from the tape when cached, else drawn now into one of two scratch rows, alternating, so
    /// that the draw of the layer below does not overwrite the one in use.
    /// </summary>
    private ReadOnlySpan<double> BackwardDraw(RandomStream stream, int l, ref bool spare)
    {
        if (_tape.CachesBackward) return _tape.Zt(l);
        var dest = spare ? Gt2 : Gt;
        spare = !spare;
        NormalGenerator.Fill(stream, RandomStream.Domain(l, StreamIds.Trial.Backward), dest, _path);
        return dest;
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
        _tape.BeginForward();
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
    /// The post block with ReLU or identity φ through the fused kernels of <see cref="PostBlockKernels"/>: the same
    /// mathematics as the general path on unnormalized rows. Row x_l is h_l up to a positive scale, h_l = e^(Λ_l/2) x_l with
    /// Λ_l = ln(2/m) + 2 ln 2 · (the powers of two taken out so far), so log‖h_l‖² = ln‖x_l‖² + Λ_l; the gradient buffer G
    /// holds g_l up to a scale that changes only by the powers of two taken out (<see cref="KeepInRange"/>). The
    /// logarithms of the per-layer norms are taken after each pass, eight at a time.
    /// </summary>
    private TrialMeasurement RunPostHomogeneous(RandomStream stream, double[] tau)
    {
        var fwd = new double[_L + 1];
        var bwd = new double[_L + 1];
        var wgrad = new double[_L];
        var logH = new double[_L + 1];
        var inv = new double[_L + 1]; // 1/‖x_l‖

        // h_0 = φ(√(2/m) z_0) = √(2/m) φ(z_0)
        _tape.BeginForward();
        var x0 = _tape.X(0);
        _spec.Activation.Apply(_h0, x0);
        double n0 = FixedOrderSums.SumOfSquares(x0);
        if (!(n0 > 0)) return TrialMeasurement.DeadTrial(_L);
        _forward2[0] = n0;
        _rowScale[0] = 0;
        _rowNorm[0] = Math.Sqrt(n0);
        inv[0] = 1 / _rowNorm[0];
        if (!Forward(stream, tau, logH, inv, fwd)) return TrialMeasurement.DeadTrial(_L);
        var logs = _forward2.AsSpan(0, _L + 1);
        PortableMath.Log(logs, logs); // in place: a recomputed segment writes its squared norms again, but reads only _rowNorm
        double logVariance = PortableMath.Log(_s * _s);
        int taken = 0;
        for (int l = 0; l <= _L; l++)
        {
            taken += _rowScale[l];
            logH[l] = logVariance + 2.0 * taken * Ln2 + logs[l];
            fwd[l] = logH[l] - logH[0];
        }

        if (!OutputGradient(stream, _tape.X(_L), inv[_L], logH[_L], out double lgL, out double gn2)) return TrialMeasurement.DeadTrial(_L);
        if (_relu) PostBlockKernels.Mask(_tape.X(_L), G); // D_L g_L: the backward passes read g with its layer's mask applied
        _backward2[_L] = gn2;
        _gradScale[_L] = 0;

        // Each layer's sums ‖G‖², x_lᵀG, x_{l−1}ᵀG and x_{l−1}ᵀz̃_l are gathered by the update pass of the layer above (one
        // pass over G per layer); at the top, and below a checkpointed segment's first layer, by a pass of their own (the
        // same bits).
        bool spare = false; // which scratch row holds z̃ of the layer below (its draw must not overwrite this layer's)
        var zt = BackwardDraw(stream, _L, ref spare);
        var (g2, xg, xpg, xzt) = PostBlockKernels.BackwardReduce(_tape.X(_L), _tape.X(_L - 1), zt, G);
        for (int l = _L; l >= 1; l--)
        {
            var xp = _tape.X(l - 1);
            double t = tau[l - 1], c = t * _s, ip = inv[l - 1], gn = Math.Sqrt(gn2);
            double nv2 = g2 / gn2; // v = D_l g_l/‖g_l‖
            if (!(nv2 > 0)) return TrialMeasurement.DeadTrial(_L);
            double nv = Math.Sqrt(nv2);
            // g_{l-1} = v + τ Wᵀv = v + τ√(2/m) [‖v‖ z̃ + ĥ (zᵀv − ‖v‖ ĥᵀz̃)], ĥ = xp·ip; times ‖G‖ on the buffer.
            // On the mask, 2^e x_l = x_{l−1} + τ√(2/m)‖x_{l−1}‖ z_l, so τ√(2/m) zᵀG = (2^e x_lᵀG − x_{l−1}ᵀG)·ip: z_l is never read.
            double a = c * nv * gn, b = (Math.ScaleB(xg, _rowScale[l]) - xpg - a * xzt) * ip * ip;
            _branch2[l - 1] = nv2;
            int e;
            if (l == 1)
            {
                gn2 = PostBlockKernels.BackwardUpdate(xp, zt, G, _relu, a, b);
                e = KeepInRange(G, ref gn2);
            }
            else if (_tape.SegmentOf(l - 1) == _tape.Current)
            {
                var ztBelow = BackwardDraw(stream, l - 1, ref spare);
                (gn2, g2, xg, xpg, xzt) = PostBlockKernels.BackwardUpdateReduce(xp, zt, G, _relu, a, b, _tape.X(l - 2), ztBelow);
                zt = ztBelow;
                e = KeepInRange(G, ref gn2);
                g2 = Math.ScaleB(g2, -2 * e); // exact: the sums of the rescaled buffer
                xg = Math.ScaleB(xg, -e);
                xpg = Math.ScaleB(xpg, -e);
            }
            else
            {
                gn2 = PostBlockKernels.BackwardUpdate(xp, zt, G, _relu, a, b);
                e = KeepInRange(G, ref gn2);
                Recall(l - 1, stream, tau, logH, inv);
                zt = BackwardDraw(stream, l - 1, ref spare);
                (g2, xg, xpg, xzt) = PostBlockKernels.BackwardReduce(_tape.X(l - 1), _tape.X(l - 2), zt, G);
            }
            if (!(gn2 > 0) || !double.IsFinite(gn2)) return TrialMeasurement.DeadTrial(_L);
            _backward2[l - 1] = gn2;
            _gradScale[l - 1] = e;
        }
        // log‖g_l‖² = lgL + ln(‖G_l‖²/‖G_L‖²) + 2 ln 2 · (powers of two taken out below L)
        var branchLogs = _branch2.AsSpan(0, _L);
        var gradLogs = _backward2.AsSpan(0, _L + 1);
        PortableMath.Log(branchLogs, branchLogs);
        PortableMath.Log(gradLogs, gradLogs);
        PortableMath.Log(tau, _tauLogs);
        taken = 0;
        for (int l = _L; l >= 1; l--)
        {
            wgrad[l - 1] = 2 * _tauLogs[l - 1] + (lgL + bwd[l]) + branchLogs[l - 1] + logH[l - 1];
            taken += _gradScale[l - 1];
            bwd[l - 1] = gradLogs[l - 1] - gradLogs[_L] + 2.0 * taken * Ln2;
        }
        return new TrialMeasurement(fwd, bwd, wgrad, logH[0], false);
    }

    private const double Ln2 = 0.6931471805599453; // ln 2, correctly rounded
    private static readonly double RangeLow = Math.ScaleB(1.0, -500), RangeHigh = Math.ScaleB(1.0, 500);

    /// <summary>
    /// Keeps an unnormalized row's squared norm n2 within 2^±500 (far from overflow in the next layer's sums): outside it,
    /// divides the row by 2^e, e = ⌊log₂ n2⌋/2, exactly (a power of two), updates n2 the same way and returns e; else 0.
    /// </summary>
    private static int KeepInRange(Span<double> row, ref double n2)
    {
        if (n2 >= RangeLow && n2 <= RangeHigh) return 0;
        int e = Math.ILogB(n2) / 2;
        TensorPrimitives.Multiply(row, Math.ScaleB(1.0, -e), row);
        n2 = Math.ScaleB(n2, -2 * e);
        return e;
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
