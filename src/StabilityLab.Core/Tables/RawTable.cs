using StabilityLab.Models;
using StabilityLab.Sampling;

namespace StabilityLab.Tables;

/// <summary>
/// raw.csv (docs/file-formats.md): one row per trial of every cell — cell, trial, fwd_log_sq, fwd_max_log_sq,
/// bwd_log_sq, dead (1 with the three values empty for a trial whose layer became exactly zero).
/// </summary>
public static class RawTable
{
    public const string FileName = "raw.csv";

    public static IReadOnlyList<string> Names { get; } = ["cell", "trial", "fwd_log_sq", "fwd_max_log_sq", "bwd_log_sq", "dead"];

    public static string Header => string.Join(',', Names);

    /// <summary>The rows of one cell, each ending in a line break.</summary>
    public static string Rows(int cell, IReadOnlyList<TrialSummary> trials)
    {
        var sb = new System.Text.StringBuilder();
        string c = Csv.Integer(cell);
        for (int t = 0; t < trials.Count; t++)
        {
            var s = trials[t];
            sb.Append(c).Append(',').Append(Csv.Integer(t)).Append(',');
            if (s.Dead) sb.Append(",,,1\n");
            else sb.Append(R(s.Forward)).Append(',').Append(R(s.ForwardMax)).Append(',').Append(R(s.Backward)).Append(",0\n");
        }
        return sb.ToString();
    }

    private static string R(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// One column of a raw table per cell and trial: values[cell][trial], NaN for a dead trial (its fields are empty).
    /// A row naming a cell or trial outside the sweep or twice, a dead flag other than 0/1, an empty value in a live
    /// trial, NaN, ±∞ or a trial of a cell missing throws <see cref="SpecException"/> naming the file and line.
    /// </summary>
    public static double[][] Read(string path, string column, int cells, int trials)
    {
        var t = CsvTable.Read(path);
        int ci = t.Column("cell"), ti = t.Column("trial"), vi = t.Column(column), di = t.Has("dead") ? t.Column("dead") : -1;
        var v = Enumerable.Range(0, cells).Select(_ => Enumerable.Repeat(double.NaN, trials).ToArray()).ToArray();
        var seen = new bool[cells, trials];
        for (int r = 0; r < t.Rows.Count; r++)
        {
            var row = t.Rows[r];
            int c = t.Integer(row, ci, r), k = t.Integer(row, ti, r);
            if (c < 0 || c >= cells || k < 0 || k >= trials) throw new SpecException($"{path} line {t.Line(r)}: cell {c}, trial {k} is outside the sweep");
            if (seen[c, k]) throw new SpecException($"{path} line {t.Line(r)}: cell {c}, trial {k} appears twice");
            seen[c, k] = true;
            bool dead = di >= 0 && t.Flag(row, di, r);
            v[c][k] = dead ? t.Optional(row, vi, r) is var d && double.IsNaN(d) ? d
                    : throw new SpecException($"{t.Where(vi, r)} holds a value for a dead trial")
                : t.Real(row, vi, r);
        }
        for (int c = 0; c < cells; c++)
            for (int k = 0; k < trials; k++)
                if (!seen[c, k]) throw new SpecException($"{path}: cell {c}, trial {k} is missing");
        return v;
    }
}
