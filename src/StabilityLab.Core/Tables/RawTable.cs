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
        var all = Check(t, Enumerable.Range(0, cells).ToHashSet(), trials);
        int vi = t.Column(column);
        var v = Enumerable.Range(0, cells).Select(_ => new double[trials]).ToArray();
        for (int r = 0; r < t.Rows.Count; r++)
        {
            var (c, k) = all[r];
            v[c][k] = t.Optional(t.Rows[r], vi, r);
        }
        return v;
    }

    /// <summary>
    /// Checks every row of a raw table holding the given cells, <paramref name="trials"/> trials each (see
    /// <see cref="Read"/>), and gives the (cell, trial) of each row.
    /// </summary>
    public static (int Cell, int Trial)[] Check(CsvTable t, IReadOnlySet<int> cells, int trials)
    {
        int ci = t.Column("cell"), ti = t.Column("trial"), di = t.Column("dead");
        int[] vi = [.. Names.Skip(2).Take(3).Select(t.Column)];
        var seen = new HashSet<(int, int)>();
        var ids = new (int, int)[t.Rows.Count];
        for (int r = 0; r < t.Rows.Count; r++)
        {
            var row = t.Rows[r];
            int c = t.Integer(row, ci, r), k = t.Integer(row, ti, r);
            if (!cells.Contains(c) || k < 0 || k >= trials) throw new SpecException($"{t.Source} line {t.Line(r)}: cell {c}, trial {k} is outside the sweep");
            if (!seen.Add((c, k))) throw new SpecException($"{t.Source} line {t.Line(r)}: cell {c}, trial {k} appears twice");
            bool dead = t.Flag(row, di, r);
            foreach (var col in vi)
            {
                if (!dead) t.Real(row, col, r);
                else if (row[col].Length > 0) throw new SpecException($"{t.Where(col, r)} holds a value for a dead trial");
            }
            ids[r] = (c, k);
        }
        if (seen.Count != cells.Count * trials)
        {
            var (c, k) = cells.Order().SelectMany(c => Enumerable.Range(0, trials).Select(k => (c, k))).First(p => !seen.Contains(p));
            throw new SpecException($"{t.Source}: cell {c}, trial {k} is missing");
        }
        return ids;
    }
}
