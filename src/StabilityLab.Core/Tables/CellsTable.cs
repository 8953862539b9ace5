using System.Text;
using System.Text.Json;
using StabilityLab.Models;

namespace StabilityLab.Tables;

/// <summary>
/// cells.csv (docs/file-formats.md): its columns, in order, with the writer (<see cref="Row"/>, and <see cref="Json"/>
/// for `sample --json`, so both carry the same keys) and the reader (<see cref="Parse"/>), which finds columns by
/// name (any order, extra columns ignored) and reads the description back typed.
/// </summary>
public static class CellsTable
{
    public const string FileName = "cells.csv";

    // The statistics columns, in file order, with where each comes from and goes to.
    private static readonly (string Name, Func<CellResult, double> Value)[] Statistics =
    [
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
    ];

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
        .. Statistics.Select(s => (s.Name, (Func<CellResult, object>)(c => s.Value(c)))),
        // Beyond the contract's minimum:
        ("tau_rule", c => c.Spec.Tau.ToString()),
        ("weights", c => c.Spec.Weights.Name()),
        ("dead_trials", c => c.Stats.DeadTrials),
        ("blowup_frac_lo", c => c.Stats.BlowupFracLo),
        ("blowup_frac_hi", c => c.Stats.BlowupFracHi),
    ];

    public static IReadOnlyList<string> Names { get; } = Columns.Select(c => c.Name).ToArray();

    public static string Header() => string.Join(',', Names);

    public static string Row(CellResult cell) => string.Join(',', Columns.Select(c => Csv.Value(c.Value(cell))));

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
                    case double d: w.WriteNumber(name, double.IsFinite(d) ? d : throw new InvalidOperationException($"non-finite {name} ({d}) would reach an output file")); break;
                    default: throw new InvalidOperationException(name);
                }
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static IReadOnlyList<CellRow> Read(string path) => Parse(CsvTable.Read(path));

    /// <summary>
    /// The rows of a cells table. A file without tau_rule (older files) reads the rule as the constant τ of the row,
    /// one without weights as Gaussian. A bad block, activation, weight law or rule throws <see cref="SpecException"/>.
    /// </summary>
    public static IReadOnlyList<CellRow> Parse(CsvTable t)
    {
        int block = t.Column("block"), act = t.Column("activation"), width = t.Column("width"), depth = t.Column("depth"),
            tau = t.Column("tau"), trials = t.Column("trials"), sampler = t.Column("sampler"), seed = t.Column("seed");
        int[] num = [.. Statistics.Select(s => t.Column(s.Name))];
        int rule = t.Has("tau_rule") ? t.Column("tau_rule") : -1;
        int weights = t.Has("weights") ? t.Column("weights") : -1;
        int dead = t.Has("dead_trials") ? t.Column("dead_trials") : -1;
        var rows = new List<CellRow>(t.Rows.Count);
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var r = t.Rows[i];
            double N(int k) => CsvTable.Number(r[num[k]]);
            double tauValue = CsvTable.Number(r[tau]);
            rows.Add(new CellRow(t.Block(r, block, i), t.Activation(r, act, i), t.Integer(r, width, i), t.Integer(r, depth, i), tauValue,
                t.Integer(r, trials, i), r[sampler], r[seed],
                N(0), N(1), N(2), N(3), N(4), N(5), N(6), N(7), N(8), N(9), N(10), N(11), N(12),
                rule >= 0 ? t.Rule(r, rule, i) : TauRule.Constant(tauValue),
                weights >= 0 ? t.WeightLaw(r, weights, i) : WeightLaw.Gaussian,
                dead >= 0 ? t.Integer(r, dead, i) : 0));
        }
        return rows;
    }
}
