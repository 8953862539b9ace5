using StabilityLab.Models;
using StabilityLab.Randomness;

namespace StabilityLab.Sampling;

/// <summary>
/// The rows of one trial's forward pass that its backward pass reads, for layers l = 1..L: the hidden vector x_{l−1},
/// the draws z_l (and z′_l for res3) and, when several τ schedules share them, the backward draws z̃_l (z̃′_l).
/// Rows are held one segment of <see cref="Interval"/> = k consecutive layers at a time; segment j holds x_{jk..jk+k}
/// and the draws of layers jk+1..jk+k.
/// Stored (k = L): one segment, every row, ≈ 16·m·L bytes for the post block.
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
    private readonly AlignedRows _z, _z2;          // row i: the forward draws of layer jk+i+1
    private AlignedRows _zt, _zt2;                 // row i: the backward draws of layer jk+i+1 (when cached)
    private bool _cacheBackward;
    private int _drawn = -1;                       // the segment whose draws the buffers hold (this trial)

    public ForwardTape(NetworkSpec spec, int interval, SimdPath path)
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
        _z = new AlignedRows(_k, _m);
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
    /// The checkpoint interval that needs least memory: segment starts (L/k rows) plus one segment (r·k rows, r = 2 for
    /// post and res1, 3 for res3) is least at k = √(L/r).
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
        long rows = (k + 1) + k * draws * (cacheBackward && k == L ? 2 : 1) + (k < L ? (L + k - 1) / k : 0);
        return 8 * m * rows;
    }

    private static int RowsPerLayer(NetworkSpec spec) => spec.Block == BlockKind.Res3 ? 3 : 2;

    /// <summary>A new trial: no draws held yet. Backward draws are cached only on a stored tape.</summary>
    public void NewTrial(bool cacheBackward)
    {
        _cacheBackward = cacheBackward && !Checkpointed;
        if (_cacheBackward && _zt.IsEmpty)
        {
            _zt = new AlignedRows(_k, _m);
            if (_res3) _zt2 = new AlignedRows(_k, _m);
        }
        _drawn = -1;
    }

    public bool CachesBackward => _cacheBackward;

    /// <summary>The segment of layer l (1..L).</summary>
    public int SegmentOf(int layer) => (layer - 1) / _k;

    /// <summary>x_row; the row must lie in the current segment (row − jk ∈ 0..k).</summary>
    public Span<double> X(int row) => Row(_x, row - Current * _k);

    public ReadOnlySpan<double> Z(int layer) => Row(_z, layer - 1 - Current * _k);

    public ReadOnlySpan<double> Z2(int layer) => Row(_z2, layer - 1 - Current * _k);

    public ReadOnlySpan<double> Zt(int layer) => Row(_zt, layer - 1 - Current * _k);

    public ReadOnlySpan<double> Zt2(int layer) => Row(_zt2, layer - 1 - Current * _k);

    private static Span<double> Row(AlignedRows a, int row) => a[row];

    /// <summary>Starts a forward pass: segment 0, whose x_0 the caller writes into <see cref="X"/>(0).</summary>
    public void BeginForward(RandomStream stream)
    {
        Current = 0;
        Draw(0, stream);
    }

    /// <summary>
    /// Before layer l of the forward pass: at a segment start, moves x_{jk} to the front of the buffer, keeps it as
    /// checkpoint j, and draws the segment.
    /// </summary>
    public void Enter(int layer, RandomStream stream)
    {
        if ((layer - 1) % _k != 0) return;
        int j = (layer - 1) / _k;
        if (j > 0)
        {
            Row(_x, _k).CopyTo(Row(_x, 0));
            Current = j;
        }
        if (Checkpointed) Row(_x, 0).CopyTo(Row(_checkpoints, j));
        Draw(j, stream);
    }

    /// <summary>
    /// Puts checkpoint j back at the front of the buffer and draws segment j again; the caller then recomputes
    /// x_{jk+1}..x_{jk+k−1} with the forward step.
    /// </summary>
    public void Restore(int segment, RandomStream stream)
    {
        Row(_checkpoints, segment).CopyTo(Row(_x, 0));
        Current = segment;
        Draw(segment, stream);
    }

    private void Draw(int j, RandomStream stream)
    {
        if (_drawn == j) return;
        int last = Math.Min(_L, (j + 1) * _k);
        for (int l = j * _k + 1; l <= last; l++)
        {
            int i = l - 1 - j * _k;
            NormalGenerator.Fill(stream, RandomStream.Domain(l, StreamIds.Trial.Forward), Row(_z, i), _path);
            if (_res3) NormalGenerator.Fill(stream, RandomStream.Domain(l, StreamIds.Trial.ForwardInner), Row(_z2, i), _path);
            if (!_cacheBackward) continue;
            NormalGenerator.Fill(stream, RandomStream.Domain(l, StreamIds.Trial.Backward), Row(_zt, i), _path);
            if (_res3) NormalGenerator.Fill(stream, RandomStream.Domain(l, StreamIds.Trial.BackwardInner), Row(_zt2, i), _path);
        }
        _drawn = j;
    }
}
