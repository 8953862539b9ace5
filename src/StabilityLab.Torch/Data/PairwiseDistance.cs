using static TorchSharp.torch;

namespace StabilityLab.Torch.Data;

/// <summary>The δ-separation of a point set: min over i &lt; j of ‖x_i − x_j‖.</summary>
public static class PairwiseDistance
{
    /// <summary>
    /// The smallest distance between two rows of the n × p array <paramref name="x"/> and the pair that attains it.
    /// Candidates come from Gram matrices (float64, blocks of 2048 rows); the winner's distance is recomputed
    /// exactly from the coordinates. n = 1 gives +∞.
    /// </summary>
    public static (double Distance, int I, int J) Minimum(double[] x, int n, int p)
    {
        if (n < 2) return (double.PositiveInfinity, -1, -1);
        using var scope = NewDisposeScope();
        var X = tensor(x, new long[] { n, p }, ScalarType.Float64);
        var sq = X.square().sum(1);
        double best = double.PositiveInfinity;
        int bi = -1, bj = -1;
        const int block = 2048;
        for (int start = 0; start < n; start += block)
        {
            using var inner = NewDisposeScope();
            int rows = Math.Min(block, n - start);
            var Xi = X.narrow(0, start, rows);
            // d²(i, j) = ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j, restricted to j > i.
            var d2 = sq.narrow(0, start, rows).unsqueeze(1).Plus(sq.unsqueeze(0)) - Xi.matmul(X.t()).Times(2.0);
            var col = arange(TorchScalars.Of(0), TorchScalars.Of(n), TorchScalars.One, ScalarType.Int64).unsqueeze(0);
            var row = arange(TorchScalars.Of(start), TorchScalars.Of(start + rows), TorchScalars.One, ScalarType.Int64).unsqueeze(1);
            d2 = d2.masked_fill(col.le(row), TorchScalars.Of(double.PositiveInfinity));
            var flat = d2.flatten();
            long arg = flat.argmin().ItemLong();
            double v = flat[arg].Item();
            if (v < best)
            {
                best = v;
                bi = start + (int)(arg / n);
                bj = (int)(arg % n);
            }
        }
        double exact = 0;
        for (int k = 0; k < p; k++)
        {
            double diff = x[(long)bi * p + k] - x[(long)bj * p + k];
            exact += diff * diff;
        }
        return (Math.Sqrt(exact), bi, bj);
    }
}
