using System.Globalization;
using StabilityLab.Spectral;

namespace StabilityLab.Torch.Spectral;

/// <summary>What a spectral study measured: one summary per cell (the rows of spectra.csv).</summary>
public sealed record SpectralStudyResult(string Directory, IReadOnlyList<SpectralCell> Cells, double Seconds)
{
    /// <summary>One line for the log: cells, time, where.</summary>
    public string Report => $"spectrum: {Cells.Count} cell(s) in {Seconds:F1} s → {Directory}";

    /// <summary>A table to read: one line per cell, norms as ‖·‖₂ (not squared, not logged; the files keep log ‖·‖₂²).</summary>
    public IEnumerable<string> Table()
    {
        string G(double? v, string fmt = "G4") => v is double x && double.IsFinite(x) ? x.ToString(fmt, CultureInfo.InvariantCulture) : "—";
        double? Norm(double? logSq) => logSq is double v ? Math.Exp(v / 2) : null;
        yield return $"{"depth",6} {"tau_rule",-12} {"trials",6} {"‖J_L···J_1‖₂ median [5%, 95%]",34} {"max pair ‖·‖₂ median",21} {"pairs",6} {"not conv",8} {"log λmin(G) med",16} {"log λmin(K) med",16} {"s",7}";
        foreach (var c in Cells)
        {
            string whole = c.Whole is { } w ? $"{G(Norm(w.Q50))} [{G(Norm(w.Q05))}, {G(Norm(w.Q95))}]" : "—";
            yield return $"{c.Spec.Depth,6} {c.Spec.Tau,-12} {c.Trials,6} {whole,34} {G(Norm(c.MaxPair?.Q50)),21} {c.PairsPerTrial,6} {c.NormsNotConverged,8} "
                + $"{G(c.GramLogMinEig?.Q50),16} {G(c.NtkLogMinEig?.Q50),16} {G(c.Seconds, "F1"),7}";
        }
    }
}
