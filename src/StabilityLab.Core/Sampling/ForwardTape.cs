using StabilityLab.Models;
using StabilityLab.Randomness;

namespace StabilityLab.Sampling;

/// <summary>
/// The rows of one trial's forward pass that its backward pass reads, for layers l = 1..L: the hidden vector x_{l−1},
/// the draws z_l (and z′_l for res3) and, when several τ schedules share them, the backward draws z̃_l (z̃′_l).
/// Rows are held one segment of <see cref="Interval"/> = k consecutive layers at a time; segment j holds x_{jk..jk+k}
/// and the draws of layers jk+1..jk+k. The post block with ReLU or identity keeps no forward draw unless the τ
/// schedules share them (<see cref="DrawsOnlyForward"/>): each layer is drawn into one scratch row just before its step.
/// Stored (k = L): one segment, every row, ≈ 8·m·L bytes for the post block with ReLU (16·m·L with several τ).
/// Checkpointed (k ≈ √(L/r), r rows per layer): also x_{jk} of every segment start, so ≈ m·(L/k + r·k) rows, O(m√L);
/// the backward pass recomputes a segment from its checkpoint (<see cref="Restore"/>). Normals are a pure function of
/// (stream, layer, purpose) and the forward step of its inputs, so recomputed rows are the same bits as the first ones.
/// </summary>
internal sealed class ForwardTape
{
    private readonly int _m, _L, _k;
    private readonly bool _res3;
    private readonly SimdPath _path;
    private readonly AlignedRows _checkpoints;     // row j: x_{jk} (checkpointed tapes only)
    private readonly AlignedRows _x;               // row i: x_{jk+i}, i = 0..k
    private readonly AlignedRows _z2;              // row i: res3's inner forward draws of layer jk+i+1
    private readonly AlignedRows _zScratch;        // the forward draws of the last layer drawn, when no row is kept
    private readonly bool _forwardOnly;            // the backward pass reads no forward draw (the fused post path)
    private AlignedRows _z;                        // row i: the forward draws of layer jk+i+1, when kept
    private AlignedRows _zt, _zt2;                 // row i: the backward draws of layer jk+i+1 (when cached)
    private bool _cacheBackward, _keepDraws;
    private int _drawnSegment = -1;                // the segment whose draws the buffers hold (this trial) …
    private int _drawnThrough;                     // … through this layer
    private int _scratchLayer = -1;                // the layer whose forward draws the scratch row holds (this trial)

    /// <param name="spec">The cell.</param>
    /// <param name="interval">Layers per segment; 0 or less keeps every layer.</param>
    /// <param name="path">The SIMD path of the normals.</param>
    /// <param name="drawsOnlyForward">The backward pass reads no forward draw (<see cref="DrawsOnlyForward"/>).</param>
    public ForwardTape(NetworkSpec spec, int interval, SimdPath path, bool drawsOnlyForward)
    {
        _m = spec.Width;
        _L = spec.Depth;
        _k = Math.Clamp(interval <= 0 ? _L : interval, 1, _L);
        _res3 = spec.Block == BlockKind.Res3;
        _path = path;
        long rows = (long)_k * _m;
        if (rows + _m > Array.MaxLength)
            throw new SpecException($"width × depth = {(long)_L * _m} is too large for one trial's memory");
        _checkpoints = new AlignedRows(Checkpointed ? Segments : 0, _m);
        _x = new AlignedRows(_k + 1, _m);
        _forwardOnly = drawsOnlyForward;
        _z = new AlignedRows(_forwardOnly ? 0 : _k, _m);
        _zScratch = new AlignedRows(_forwardOnly ? 1 : 0, _m);
        _z2 = new AlignedRows(_res3 ? _k : 0, _m);
        _zt = _zt2 = new AlignedRows(0, _m);
    }

    /// <summary>k: layers per segment (L when every row is stored).</summary>
    public int Interval => _k;

    public bool Checkpointed => _k < _L;

    /// <summary>The segment whose x rows the buffer holds for the schedule being run.</summary>
    public int Current { get; private set; }

    private int Segments => (_L + _k - 1) / _k;

    /// <summary>
    /// The post block with ReLU or identity: its backward pass (ExactSampler's fused path) reads the x rows and no forward
    /// draw, so a tape that does not share its draws between τ schedules keeps none, only the layer being stepped.
    /// </summary>
    public static bool DrawsOnlyForward(NetworkSpec spec) => spec.Block == BlockKind.Post && spec.Activation.IsPositivelyHomogeneous();

    /// <summary>
    /// The checkpoint interval that needs least memory: segment starts (L/k rows) plus one segment (r·k rows, r = 1 for
    /// the post block with ReLU or identity, 2 for the other post and res1 cells, 3 for res3) is least at k = √(L/r).
    /// </summary>
    public static int OptimalInterval(NetworkSpec spec) => OptimalInterval(spec.Depth, RowsPerLayer(spec));

    /// <inheritdoc cref="OptimalInterval(NetworkSpec)"/>
    public static int OptimalInterval(int depth, int rowsPerLayer) =>
        Math.Clamp((int)Math.Round(Math.Sqrt(depth / (double)rowsPerLayer)), 1, depth);

    /// <summary>
    /// Bytes of the tape with the given interval (≤ 0: stored); <paramref name="cacheBackward"/>: the backward draws
    /// are kept too (several τ on a stored tape).
    /// </summary>
    public static long Bytes(NetworkSpec spec, int interval, bool cacheBackward)
    {
        long m = AlignedRows.Stride(spec.Width), L = spec.Depth, k = interval <= 0 ? L : Math.Clamp(interval, 1, L);
        int draws = spec.Block == BlockKind.Res3 ? 2 : 1;
        bool cached = cacheBackward && k == L;
        long drawRows = DrawsOnlyForward(spec) && !cached ? 1 : k * draws * (cached ? 2 : 1);
        long rows = (k + 1) + drawRows + (k < L ? (L + k - 1) / k : 0);
        return 8 * m * rows;
    }

    private static int RowsPerLayer(NetworkSpec spec) => DrawsOnlyForward(spec) ? 1 : spec.Block == BlockKind.Res3 ? 3 : 2;

    /// <summary>
    /// A new trial: no draws held yet. Draws are cached (forward and backward, shared by the τ schedules) only on a
    /// stored tape; forward draws are kept in rows when the backward pass or the next schedule reads them.
    /// </summary>
    public void NewTrial(bool cacheBackward)
    {
        _cacheBackward = cacheBackward && !Checkpointed;
        _keepDraws = !_forwardOnly || _cacheBackward;
        if (_cacheBackward && _zt.IsEmpty)
        {
            _zt = new AlignedRows(_k, _m);
            if (_res3) _zt2 = new AlignedRows(_k, _m);
        }
        if (_keepDraws && _z.IsEmpty) _z = new AlignedRows(_k, _m);
        _drawnSegment = -1;
        _scratchLayer = -1;
    }

    public bool CachesBackward => _cacheBackward;

    /// <summary>The segment of layer l (1..L).</summary>
    public int SegmentOf(int layer) => (layer - 1) / _k;

    /// <summary>x_row; the row must lie in the current segment (row − jk ∈ 0..k).</summary>
    public Span<double> X(int row) => Row(_x, row - Current * _k);

    /// <summary>The forward draws of layer l: of the current segment when kept, else of the layer drawn last.</summary>
    public ReadOnlySpan<double> Z(int layer) => _keepDraws ? Row(_z, layer - 1 - Current * _k) : Row(_zScratch, 0);

    public ReadOnlySpan<double> Z2(int layer) => Row(_z2, layer - 1 - Current * _k);

    public ReadOnlySpan<double> Zt(int layer) => Row(_zt, layer - 1 - Current * _k);

    public ReadOnlySpan<double> Zt2(int layer) => Row(_zt2, layer - 1 - Current * _k);

    private static Span<double> Row(AlignedRows a, int row) => a[row];

    /// <summary>Starts a forward pass: segment 0, whose x_0 the caller writes into <see cref="X"/>(0).</summary>
    public void BeginForward() => Hold(0);

    /// <summary>
    /// Before layer l of the forward pass: at a segment start, moves x_{jk} to the front of the buffer and keeps it as
    /// checkpoint j.
    /// </summary>
    public void Enter(int layer)
    {
        if ((layer - 1) % _k != 0) return;
        int j = (layer - 1) / _k;
        if (j > 0)
        {
            Row(_x, _k).CopyTo(Row(_x, 0));
            Hold(j);
        }
        if (Checkpointed) Row(_x, 0).CopyTo(Row(_checkpoints, j));
    }

    /// <summary>
    /// Puts checkpoint j back at the front of the buffer; the caller then recomputes x_{jk+1}..x_{jk+k−1} with the
    /// forward step, drawing each layer as it goes (<see cref="Draw"/>).
    /// </summary>
    public void Restore(int segment)
    {
        Row(_checkpoints, segment).CopyTo(Row(_x, 0));
        if (segment + 1 < Segments) Row(_checkpoints, segment + 1).CopyTo(Row(_x, _k)); // x_{(j+1)k}: the segment's last output
        Hold(segment);
    }

    private void Hold(int segment)
    {
        Current = segment;
        if (_drawnSegment == segment) return;
        _drawnSegment = segment;
        _drawnThrough = segment * _k;
    }

    /// <summary>
    /// Makes the draws of layers up to l (of the current segment) available. Each layer is drawn just before its
    /// forward step reads it, so the step finds its row in the nearest cache; the values are the same whenever they are drawn.
    /// </summary>
    public void Draw(int layer, RandomStream stream)
    {
        if (!_keepDraws)
        {
            if (_scratchLayer == layer) return;
            NormalGenerator.Fill(stream, RandomStream.Domain(layer, StreamIds.Trial.Forward), Row(_zScratch, 0), _path);
            _scratchLayer = layer;
            return;
        }
        int j = Current;
        for (int l = _drawnThrough + 1; l <= layer; l++)
        {
            int i = l - 1 - j * _k;
            NormalGenerator.Fill(stream, RandomStream.Domain(l, StreamIds.Trial.Forward), Row(_z, i), _path);
            if (_res3) NormalGenerator.Fill(stream, RandomStream.Domain(l, StreamIds.Trial.ForwardInner), Row(_z2, i), _path);
            if (!_cacheBackward) continue;
            NormalGenerator.Fill(stream, RandomStream.Domain(l, StreamIds.Trial.Backward), Row(_zt, i), _path);
            if (_res3) NormalGenerator.Fill(stream, RandomStream.Domain(l, StreamIds.Trial.BackwardInner), Row(_zt2, i), _path);
        }
        _drawnThrough = Math.Max(_drawnThrough, layer);
    }
}
