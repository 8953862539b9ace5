using StabilityLab.Randomness;
using System.Globalization;
using System.Text;
using StabilityLab.Models;
using StabilityLab.Tables;

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
        var t = CsvTable.Read(path);
        int Col(string name) => t.Has(name) ? t.Column(name) : throw new SpecException($"{path} has no column '{name}': not a spectra.csv file");
        int iTau = Col("tau_rule"), iDepth = Col("depth"), iWidth = Col("width"), iTrials = Col("trials");
        var points = new List<OperatorNormPoint>();
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var f = t.Rows[i];
            foreach (var (q, prefix) in new[] { (ProductQuantity.Whole, "whole"), (ProductQuantity.MaxPair, "maxpair") })
            {
                string Get(string s) => f[Col($"{prefix}_log_sq_{s}")];
                double Real(string s) => t.Real(f, Col($"{prefix}_log_sq_{s}"), i);
                if (Get("mean").Length == 0) continue;
                points.Add(new OperatorNormPoint(f[iTau], t.Integer(f, iDepth, i, min: 1), t.Integer(f, iWidth, i, min: 1), q, t.Integer(f, iTrials, i, min: 0),
                    Real("mean"), Real("lo"), Real("hi"), Real("q50"), Real("q05"), Real("q95")));
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

    // An empty field is a statistic not measured (or not finite): spectra.csv never holds NaN or ±∞.
    private static string Format(object? v) => v is double d && !double.IsFinite(d) ? "" : Csv.Value(v);

    private static double Num(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
