using StabilityLab.Sampling;
using StabilityLab.Randomness;
using System.Numerics.Tensors;

namespace StabilityLab.Spectral;

/// <summary>
/// Thin QR of an m × n matrix H (column-major) by modified Gram–Schmidt with one re-orthogonalization:
/// H = Q R with Q m × r orthonormal columns, R r × n, r = numerical rank (a column whose residual is below
/// 1e-10 of its norm adds no direction). O(m n²). One instance holds scratch memory.
/// </summary>
internal sealed class ThinQr
{
    private const double RankTolerance = 1e-10;
    private readonly int _m, _n;
    private readonly double[] _v;

    public ThinQr(int rows, int cols)
    {
        _m = rows;
        _n = cols;
        Q = new double[rows * cols];
        R = new double[cols * cols];
        _v = new double[rows];
    }

    /// <summary>Columns 0..Rank−1 of Q, each of length m, stored one after the other.</summary>
    public double[] Q { get; }

    /// <summary>R as Rank × n, row-major with row stride n (rows beyond Rank are zero).</summary>
    public double[] R { get; }

    public int Rank { get; private set; }

    public void Factor(ReadOnlySpan<double> h)
    {
        Array.Clear(R);
        int r = 0;
        for (int j = 0; j < _n; j++)
        {
            var col = h.Slice(j * _m, _m);
            col.CopyTo(_v);
            double n0 = Math.Sqrt(FixedOrderSums.SumOfSquares(col));
            for (int pass = 0; pass < 2; pass++)
            {
                for (int k = 0; k < r; k++)
                {
                    var qk = Q.AsSpan(k * _m, _m);
                    double c = FixedOrderSums.Dot(qk, _v);
                    R[k * _n + j] += c;
                    TensorPrimitives.MultiplyAdd(qk, -c, _v, _v);
                }
            }
            double nv = Math.Sqrt(FixedOrderSums.SumOfSquares(_v));
            if (nv > RankTolerance * n0 && nv > 0)
            {
                TensorPrimitives.Multiply(_v, 1 / nv, Q.AsSpan(r * _m, _m));
                R[r * _n + j] = nv;
                r++;
            }
        }
        Rank = r;
    }
}
