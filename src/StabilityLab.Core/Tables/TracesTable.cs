using StabilityLab.Models;

namespace StabilityLab.Tables;

/// <summary>The statistics of one traced layer, as a traces.csv row holds them (null weight gradient at l = 0).</summary>
public sealed record LayerStatistics(double FwdMean, double FwdQ05, double FwdQ50, double FwdQ95,
    double BwdMean, double BwdQ05, double BwdQ50, double BwdQ95, double? WgradMean);

/// <summary>
/// traces.csv (docs/file-formats.md): per-layer traces of the traced cells. Its columns, in order, with the writer
/// (<see cref="Row"/>) and the reader (<see cref="Parse"/>, columns found by name, the description read back typed).
/// </summary>
public static class TracesTable
{
    public const string FileName = "traces.csv";

    private static readonly string[] Description = ["cell", "block", "width", "depth", "tau", "tau_rule", "layer"];

    private static readonly (string Name, Func<LayerStatistics, double?> Value)[] Statistics =
    [
        ("fwd_log_sq_mean", s => s.FwdMean),
        ("fwd_log_sq_q05", s => s.FwdQ05),
        ("fwd_log_sq_q50", s => s.FwdQ50),
        ("fwd_log_sq_q95", s => s.FwdQ95),
        ("bwd_log_sq_mean", s => s.BwdMean),
        ("bwd_log_sq_q05", s => s.BwdQ05),
        ("bwd_log_sq_q50", s => s.BwdQ50),
        ("bwd_log_sq_q95", s => s.BwdQ95),
        ("wgrad_log_sq_mean", s => s.WgradMean),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Description, .. Statistics.Select(s => s.Name)];

    public static string Header => string.Join(',', Names);

    /// <summary>One row (no line break); NaN or ±∞ reaching the file is a bug and throws, a missing gradient is empty.</summary>
    public static string Row(int cell, NetworkSpec spec, int layer, LayerStatistics s) =>
        string.Join(',', [
            Csv.Integer(cell), spec.Block.Name(), Csv.Integer(spec.Width), Csv.Integer(spec.Depth),
            Csv.Number(spec.Tau.Evaluate(spec.Depth, 1)), Csv.Field(spec.Tau.ToString()), Csv.Integer(layer),
            .. Statistics.Select(c => c.Value(s) is double v ? Csv.Number(v) : ""),
        ]);

    public static IReadOnlyList<TraceRow> Read(string path) => Parse(CsvTable.Read(path));

    public static IReadOnlyList<TraceRow> Parse(CsvTable t)
    {
        int[] d = [.. Description.Select(t.Column)];
        int[] num = [.. Statistics.Select(s => t.Column(s.Name))];
        var rows = new List<TraceRow>(t.Rows.Count);
        var seen = new HashSet<(string, int)>();
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var r = t.Rows[i];
            // Only the weight gradient may be empty (at l = 0); everything else is a finite number.
            double N(int k) => k == num.Length - 1 ? t.Optional(r, num[k], i) : t.Real(r, num[k], i);
            int depth = t.Integer(r, d[3], i, min: 1), layer = t.Integer(r, d[6], i, min: 0);
            if (layer > depth) throw new SpecException($"{t.Where(d[6], i)} is {layer}, beyond the depth {depth}");
            var key = (r[d[0]], layer);
            if (!seen.Add(key)) throw new SpecException($"{t.Source} line {t.Line(i)}: cell {key.Item1}, layer {layer} appears twice");
            rows.Add(new TraceRow(t.Integer(r, d[0], i, min: 0), t.Block(r, d[1], i), t.Integer(r, d[2], i, min: 1), depth,
                t.Real(r, d[4], i), t.Rule(r, d[5], i), layer,
                N(0), N(1), N(2), N(3), N(4), N(5), N(6), N(7), N(8)));
        }
        return rows;
    }
}
