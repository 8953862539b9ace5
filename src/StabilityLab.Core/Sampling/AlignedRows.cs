namespace StabilityLab.Sampling;

/// <summary>
/// Rows of m doubles in one pinned array, each starting on a 64-byte boundary where the padding fits in an array: a
/// 512-bit load or store of a row then never straddles two cache lines (docs/architecture.md, "The exact sampler's
/// passes"). The values are the same either way; only the addresses change.
/// </summary>
internal readonly struct AlignedRows
{
    private const int LineDoubles = 8; // 64 bytes
    private readonly double[] _data;
    private readonly int _offset, _stride, _m;

    public AlignedRows(long rows, int m)
    {
        _m = m;
        _data = [];
        if (rows == 0) return;
        int stride = Stride(m);
        long padded = rows * stride + LineDoubles - 1;
        if (padded > Array.MaxLength)
        {
            // No room for padding: unaligned rows, back to back (the size checks of ForwardTape allow m·rows).
            _data = new double[rows * m];
            _stride = m;
            return;
        }
        _data = GC.AllocateArray<double>((int)padded, pinned: true);
        _stride = stride;
        _offset = OffsetToLine(_data);
    }

    public bool IsEmpty => _data.Length == 0;

    /// <summary>Doubles from one row's start to the next's: m rounded up to whole cache lines.</summary>
    public static int Stride(int m) => (m + LineDoubles - 1) / LineDoubles * LineDoubles;

    /// <summary>Row i.</summary>
    public Span<double> this[long row] => _data.AsSpan((int)(_offset + row * _stride), _m);

    /// <summary>One aligned row of m doubles (a scratch vector).</summary>
    public static Memory<double> Row(int m)
    {
        var rows = new AlignedRows(1, m);
        return new Memory<double>(rows._data, rows._offset, m);
    }

    private static unsafe int OffsetToLine(double[] pinned)
    {
        fixed (double* p = pinned)
            return (int)((LineDoubles - ((nint)p / sizeof(double)) % LineDoubles) % LineDoubles);
    }
}
