using System.Text;
using StabilityLab.Models;
using StabilityLab.Tables;

namespace StabilityLab.Spectral;

/// <summary>
/// The per-trial files of the spectrum command (docs/file-formats.md), columns defined once here:
/// spectra_trials.csv (one row per trial of every cell, <c>--raw</c>) and singular_values.csv (log σ_i² of the
/// whole product, one row per trial and index, <c>--svd</c>). An empty field is a value not measured.
/// </summary>
public static class SpectralTrialTables
{
    public const string TrialsFile = "spectra_trials.csv", SingularValuesFile = "singular_values.csv";

    public static IReadOnlyList<string> TrialColumns { get; } =
    [
        "depth", "tau_rule", "trial", "dead", "whole_log_sq", "whole_steps", "whole_converged", "maxpair_log_sq", "maxpair_a", "maxpair_b",
        "pairs_not_converged", "lanczos_steps_mean", "gram_log_min_eig", "gram_rel_min_eig", "gram_log_mean_diag",
        "ntk_log_min_eig", "ntk_rel_min_eig", "ntk_log_mean_diag",
    ];

    public static IReadOnlyList<string> SingularValueColumns { get; } = ["depth", "tau_rule", "trial", "index", "log_sq_sigma"];

    /// <summary>spectra_trials.csv rows of one cell, each ending in a line break.</summary>
    public static string TrialRows(NetworkSpec spec, IEnumerable<SpectralTrial> trials)
    {
        var sb = new StringBuilder();
        foreach (var t in trials)
        {
            sb.Append(string.Join(',',
                Csv.Integer(spec.Depth), Csv.Field(spec.Tau.ToString()), Csv.Integer(t.Trial), t.Dead ? "true" : "false",
                Csv.Optional(t.WholeLogSq), Csv.Integer(t.WholeSteps), t.WholeConverged ? "true" : "false",
                Csv.Optional(t.MaxPairLogSq), Csv.Integer(t.MaxPair.Start), Csv.Integer(t.MaxPair.End), Csv.Integer(t.PairsNotConverged), Csv.Optional(t.MeanSteps),
                Csv.Optional(t.Gram?.LogMinEig), Csv.Optional(t.Gram is { Dead: false } g ? g.RelMinEig : null), Csv.Optional(t.Gram is { Dead: false } g2 ? g2.LogMeanDiag : null),
                Csv.Optional(t.Ntk?.LogMinEig), Csv.Optional(t.Ntk is { Dead: false } k ? k.RelMinEig : null), Csv.Optional(t.Ntk is { Dead: false } k2 ? k2.LogMeanDiag : null))).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>singular_values.csv rows of one cell (live trials, finite values), each ending in a line break.</summary>
    public static string SingularValueRows(NetworkSpec spec, IEnumerable<SpectralTrial> trials)
    {
        var sb = new StringBuilder();
        foreach (var t in trials)
        {
            if (t.LogSqSingularValues is null || t.Dead) continue;
            for (int i = 0; i < t.LogSqSingularValues.Length; i++)
                if (double.IsFinite(t.LogSqSingularValues[i]))
                    sb.Append(Csv.Integer(spec.Depth)).Append(',').Append(Csv.Field(spec.Tau.ToString())).Append(',').Append(Csv.Integer(t.Trial)).Append(',')
                      .Append(Csv.Integer(i + 1)).Append(',').Append(Csv.Optional(t.LogSqSingularValues[i])).Append('\n');
        }
        return sb.ToString();
    }
}
