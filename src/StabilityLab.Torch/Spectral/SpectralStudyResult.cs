using System.Globalization;
using StabilityLab.Spectral;
using StabilityLab.Tables;

namespace StabilityLab.Torch.Spectral;

/// <summary>
/// What a spectral study did: the cells it computed (<paramref name="Cells"/>; with --resume, the cells already in
/// spectra.csv are <paramref name="Kept"/> and not among them), and every cell's time in grid order.
/// </summary>
public sealed record SpectralStudyResult(string Directory, IReadOnlyList<SpectralCell> Cells, double Seconds, int Kept = 0,
    IReadOnlyList<double>? CellSeconds = null)
{
    /// <summary>One line for the log: cells, time, where.</summary>
    public string Report => Kept == 0
        ? $"spectrum: {Cells.Count} cell(s) in {Seconds:F1} s → {Directory}"
        : $"spectrum: {Cells.Count + Kept} cell(s) ({Cells.Count} computed, {Kept} kept from before) in {Seconds:F1} s → {Directory}";

    /// <summary>
    /// A table to read, from spectra.csv (so a resumed study shows every cell): one line per cell, norms as ‖·‖₂
    /// (not squared, not logged; the files keep log ‖·‖₂²).
    /// </summary>
    public IEnumerable<string> Table()
    {
        var t = CsvTable.Read(Path.Combine(Directory, SpectraTable.FileName));
        string G(double? v, string fmt = "G4") => v is double x && double.IsFinite(x) ? x.ToString(fmt, CultureInfo.InvariantCulture) : "—";
        yield return $"{"depth",6} {"tau_rule",-12} {"trials",6} {"‖J_L···J_1‖₂ median [5%, 95%]",34} {"max pair ‖·‖₂ median",21} {"pairs",6} {"not conv",8} {"log λmin(G) med",16} {"log λmin(K) med",16} {"s",7}";
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var row = t.Rows[i];
            string F(string column) => row[t.Column(column)];
            double? Value(string column) => F(column).Length == 0 ? null : CsvTable.Number(F(column));
            double? Norm(string column) => Value(column) is double v ? Math.Exp(v / 2) : null;
            string whole = F("whole_log_sq_q50").Length > 0 ? $"{G(Norm("whole_log_sq_q50"))} [{G(Norm("whole_log_sq_q05"))}, {G(Norm("whole_log_sq_q95"))}]" : "—";
            double? seconds = CellSeconds is { } s && i < s.Count ? s[i] : null;
            yield return $"{F("depth"),6} {F("tau_rule"),-12} {F("trials"),6} {whole,34} {G(Norm("maxpair_log_sq_q50")),21} {F("pairs_per_trial"),6} {F("norms_not_converged"),8} "
                + $"{G(Value("gram_log_min_eig_q50")),16} {G(Value("ntk_log_min_eig_q50")),16} {G(seconds, "F1"),7}";
        }
    }
}
