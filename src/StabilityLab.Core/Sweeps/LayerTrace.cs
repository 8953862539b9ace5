using System.Text;
using MathNet.Numerics.Statistics;
using StabilityLab.Sampling;
using StabilityLab.Tables;

namespace StabilityLab.Sweeps;

/// <summary>
/// Per-layer traces of one cell: for a subset of layers l (all when L ≤ 256, else 257 evenly
/// spaced ones, ends included), the mean and 5/50/95% quantiles over live trials of the forward
/// and backward log ratios, and the mean log‖∂F/∂W_l‖². Values are kept per trial for the
/// chosen layers only (257 × trials doubles at most), written by distinct trials without locks.
/// </summary>
public sealed class LayerTrace
{
    public const int MaxPoints = 257;

    private readonly int[] _layers;
    private readonly double[][] _fwd, _bwd, _wgrad;
    private readonly bool[] _dead;

    public LayerTrace(int depth, int trials)
    {
        _layers = depth + 1 <= MaxPoints
            ? Enumerable.Range(0, depth + 1).ToArray()
            : Enumerable.Range(0, MaxPoints).Select(i => (int)Math.Round((double)i * depth / (MaxPoints - 1))).Distinct().ToArray();
        _fwd = _layers.Select(_ => new double[trials]).ToArray();
        _bwd = _layers.Select(_ => new double[trials]).ToArray();
        _wgrad = _layers.Select(_ => new double[trials]).ToArray();
        _dead = new bool[trials];
    }

    public void Record(int trial, TrialMeasurement m)
    {
        _dead[trial] = m.Dead;
        for (int i = 0; i < _layers.Length; i++)
        {
            int l = _layers[i];
            _fwd[i][trial] = m.Forward[l];
            _bwd[i][trial] = m.Backward[l];
            _wgrad[i][trial] = l >= 1 ? m.WeightGrad[l - 1] : 0.0;
        }
    }

    /// <summary>traces.csv rows (no header) for this cell; the weight-gradient column is empty at l = 0.</summary>
    public string CsvRows(SweepCell cell)
    {
        var sb = new StringBuilder();
        var live = Enumerable.Range(0, _dead.Length).Where(t => !_dead[t]).ToArray();
        if (live.Length == 0) return "";
        for (int i = 0; i < _layers.Length; i++)
        {
            var f = live.Select(t => _fwd[i][t]).ToArray();
            var b = live.Select(t => _bwd[i][t]).ToArray();
            Array.Sort(f);
            Array.Sort(b);
            double? w = _layers[i] >= 1 ? live.Select(t => _wgrad[i][t]).Average() : null;
            var stats = new LayerStatistics(f.Average(), SortedArrayStatistics.Quantile(f, 0.05), SortedArrayStatistics.Quantile(f, 0.5), SortedArrayStatistics.Quantile(f, 0.95),
                b.Average(), SortedArrayStatistics.Quantile(b, 0.05), SortedArrayStatistics.Quantile(b, 0.5), SortedArrayStatistics.Quantile(b, 0.95), w);
            sb.Append(TracesTable.Row(cell.Index, cell.Spec, _layers[i], stats)).Append('\n');
        }
        return sb.ToString();
    }
}
