using System.Globalization;
using System.Text;
using System.Text.Json;
using StabilityLab.Models;
using StabilityLab.Sampling;

namespace StabilityLab.Output;

/// <summary>
/// The columns of cells.csv (docs/file-formats.md), in order, with their values. The same list
/// serves the CSV writer and the JSON printer, so both always carry the same keys.
/// </summary>
public static class CellColumns
{
    private static readonly (string Name, Func<CellResult, object> Value)[] Columns =
    [
        ("block", c => c.Spec.Block.Name()),
        ("activation", c => c.Spec.Activation.Name()),
        ("width", c => c.Spec.Width),
        ("depth", c => c.Spec.Depth),
        ("tau", c => c.Tau),
        ("trials", c => c.TrialsRun),
        ("sampler", c => c.Sampler),
        ("seed", c => c.Seed),
        ("fwd_log_sq_mean", c => c.Stats.FwdLogSqMean),
        ("fwd_log_sq_sd", c => c.Stats.FwdLogSqSd),
        ("fwd_log_sq_q05", c => c.Stats.FwdLogSqQ05),
        ("fwd_log_sq_q50", c => c.Stats.FwdLogSqQ50),
        ("fwd_log_sq_q95", c => c.Stats.FwdLogSqQ95),
        ("fwd_log_mean_sq", c => c.Stats.FwdLogMeanSq),
        ("fwd_log_mean_sq_lo", c => c.Stats.FwdLogMeanSqLo),
        ("fwd_log_mean_sq_hi", c => c.Stats.FwdLogMeanSqHi),
        ("fwd_max_log_sq_mean", c => c.Stats.FwdMaxLogSqMean),
        ("bwd_log_sq_mean", c => c.Stats.BwdLogSqMean),
        ("bwd_log_sq_sd", c => c.Stats.BwdLogSqSd),
        ("bwd_log_sq_q50", c => c.Stats.BwdLogSqQ50),
        ("blowup_frac", c => c.Stats.BlowupFrac),
        // Beyond the contract's minimum:
        ("tau_rule", c => c.Spec.Tau.ToString()),
        ("weights", c => c.Spec.Weights.Name()),
        ("dead_trials", c => c.Stats.DeadTrials),
        ("blowup_frac_lo", c => c.Stats.BlowupFracLo),
        ("blowup_frac_hi", c => c.Stats.BlowupFracHi),
    ];

    public static IReadOnlyList<string> Names { get; } = Columns.Select(c => c.Name).ToArray();

    public static string CsvHeader() => string.Join(',', Names);

    public static string CsvRow(CellResult cell) => string.Join(',', Columns.Select(c => Csv(c.Value(cell))));

    /// <summary>One JSON object whose keys are exactly <see cref="Names"/>; numbers as numbers.</summary>
    public static string Json(CellResult cell, bool indented = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            foreach (var (name, value) in Columns)
            {
                switch (value(cell))
                {
                    case string s: w.WriteString(name, s); break;
                    case int i: w.WriteNumber(name, i); break;
                    case ulong u: w.WriteNumber(name, u); break;
                    case double d: w.WriteNumber(name, Finite(d, name)); break;
                    default: throw new InvalidOperationException(name);
                }
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static string Csv(object v) => v switch
    {
        string s => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s,
        double d => Finite(d, "value").ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    // The contract: NaN or ±∞ never reaches a file.
    private static double Finite(double d, string name) =>
        double.IsFinite(d) ? d : throw new InvalidOperationException($"non-finite {name} ({d}) would reach an output file");
}
