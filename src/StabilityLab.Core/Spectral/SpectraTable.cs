using StabilityLab.Randomness;
using System.Globalization;
using System.Text;
using StabilityLab.Models;

namespace StabilityLab.Spectral;

/// <summary>
/// spectra.csv: one row per (width, depth, τ rule) cell, tidy. Columns, in order:
/// block, activation, weights, width, depth, tau_rule, tau (τ at layer 1), trials (live), dead_trials, seed,
/// pairs (auto|all|N), pairs_per_trial, all_pairs (true when every pair 1 ≤ a ≤ b ≤ L was evaluated);
/// whole_log_sq_{mean,sd,lo,hi,q05,q50,q95}: log ‖J_L···J_1‖₂² (lo/hi: 95% interval of the mean);
/// maxpair_log_sq_{mean,sd,lo,hi,q05,q50,q95}: max over pairs of log ‖J_b···J_a‖₂²;
/// norms_not_converged (norm estimates that hit the step limit, all trials), lanczos_steps_mean;
/// inputs (n), gram_sampler (dense|exact|none); gram_log_min_eig_{mean,sd,q05,q50,q95}: log λ_min(G),
/// gram_log_rel_min_eig_{mean,q50}: log(λ_min(G)/mean_i ‖h_{i,L}‖²), gram_nonpositive (trials with λ_min ≤ 0);
/// ntk_log_min_eig_{mean,sd,q05,q50,q95}, ntk_log_rel_min_eig_{mean,q50}, ntk_nonpositive (NTK restricted to
/// W_1..W_L, dense path only); seconds. All logs natural. An empty field is a statistic not measured;
/// NaN or ±∞ never appear.
/// </summary>
public static class SpectraTable
{
    public const string FileName = "spectra.csv";

    private static readonly (string Name, Func<SpectralCell, object?> Value)[] Columns = Build();

    public static IReadOnlyList<string> Names { get; } = Columns.Select(c => c.Name).ToArray();

    public static string Header() => string.Join(',', Names);

    public static string Row(SpectralCell cell) => string.Join(',', Columns.Select(c => Format(c.Value(cell))));

    public static string Write(IEnumerable<SpectralCell> cells)
    {
        var sb = new StringBuilder().Append(Header()).Append('\n');
        foreach (var c in cells) sb.Append(Row(c)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Reads the figure points (whole product and largest pair) of a spectra.csv file.</summary>
    public static IReadOnlyList<OperatorNormPoint> ReadPoints(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"no such file: {path}");
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) throw new SpecException($"{path} is empty");
        var header = SplitCsv(lines[0]);
        int Col(string name)
        {
            int i = Array.IndexOf(header, name);
            return i >= 0 ? i : throw new SpecException($"{path} has no column '{name}': not a spectra.csv file");
        }
        int iTau = Col("tau_rule"), iDepth = Col("depth"), iWidth = Col("width");
        var points = new List<OperatorNormPoint>();
        foreach (var line in lines.Skip(1))
        {
            var f = SplitCsv(line);
            if (f.Length != header.Length) throw new SpecException($"{path}: a row has {f.Length} fields, the header {header.Length}");
            foreach (var (q, prefix) in new[] { (ProductQuantity.Whole, "whole"), (ProductQuantity.MaxPair, "maxpair") })
            {
                string Get(string s) => f[Col($"{prefix}_log_sq_{s}")];
                if (Get("mean").Length == 0) continue;
                points.Add(new OperatorNormPoint(f[iTau], Int(f[iDepth]), Int(f[iWidth]), q, Int(f[Col("trials")]),
                    Num(Get("mean")), Num(Get("lo")), Num(Get("hi")), Num(Get("q50")), Num(Get("q05")), Num(Get("q95"))));
            }
        }
        return points;
    }

    private static (string, Func<SpectralCell, object?>)[] Build()
    {
        var c = new List<(string, Func<SpectralCell, object?>)>
        {
            ("block", x => x.Spec.Block.Name()),
            ("activation", x => x.Spec.Activation.Name()),
            ("weights", x => x.Spec.Weights.Name()),
            ("width", x => x.Spec.Width),
            ("depth", x => x.Spec.Depth),
            ("tau_rule", x => x.Spec.Tau.ToString()),
            ("tau", x => x.Tau),
            ("trials", x => x.Trials),
            ("dead_trials", x => x.DeadTrials),
            ("seed", x => x.Seed),
            ("pairs", x => x.Pairs.ToString()),
            ("pairs_per_trial", x => x.PairsPerTrial),
            ("all_pairs", x => x.AllPairs ? "true" : "false"),
        };
        foreach (var (prefix, get) in new (string, Func<SpectralCell, LogStatistic?>)[] { ("whole", x => x.Whole), ("maxpair", x => x.MaxPair) })
        {
            c.Add(($"{prefix}_log_sq_mean", x => get(x)?.Mean));
            c.Add(($"{prefix}_log_sq_sd", x => get(x)?.Sd));
            c.Add(($"{prefix}_log_sq_lo", x => get(x)?.Lo));
            c.Add(($"{prefix}_log_sq_hi", x => get(x)?.Hi));
            c.Add(($"{prefix}_log_sq_q05", x => get(x)?.Q05));
            c.Add(($"{prefix}_log_sq_q50", x => get(x)?.Q50));
            c.Add(($"{prefix}_log_sq_q95", x => get(x)?.Q95));
        }
        c.Add(("norms_not_converged", x => x.NormsNotConverged));
        c.Add(("lanczos_steps_mean", x => x.MeanSteps));
        c.Add(("inputs", x => x.Inputs));
        c.Add(("gram_sampler", x => x.GramSampler));
        foreach (var (prefix, min, rel, nonpos) in new (string, Func<SpectralCell, LogStatistic?>, Func<SpectralCell, LogStatistic?>, Func<SpectralCell, int>)[]
                 {
                     ("gram", x => x.GramLogMinEig, x => x.GramLogRelMinEig, x => x.GramNonPositive),
                     ("ntk", x => x.NtkLogMinEig, x => x.NtkLogRelMinEig, x => x.NtkNonPositive),
                 })
        {
            c.Add(($"{prefix}_log_min_eig_mean", x => min(x)?.Mean));
            c.Add(($"{prefix}_log_min_eig_sd", x => min(x)?.Sd));
            c.Add(($"{prefix}_log_min_eig_q05", x => min(x)?.Q05));
            c.Add(($"{prefix}_log_min_eig_q50", x => min(x)?.Q50));
            c.Add(($"{prefix}_log_min_eig_q95", x => min(x)?.Q95));
            c.Add(($"{prefix}_log_rel_min_eig_mean", x => rel(x)?.Mean));
            c.Add(($"{prefix}_log_rel_min_eig_q50", x => rel(x)?.Q50));
            c.Add(($"{prefix}_nonpositive", x => x.Inputs > 0 && (prefix == "gram" ? x.GramSampler != "none" : x.GramSampler == "dense") ? nonpos(x) : null));
        }
        return c.ToArray();
    }

    private static string Format(object? v) => v switch
    {
        null => "",
        string s => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s,
        double d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else sb.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(ch);
        }
        fields.Add(sb.ToString());
        return fields.ToArray();
    }

    private static int Int(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Num(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
