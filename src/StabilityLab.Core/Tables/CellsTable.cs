using System.Text;
using System.Text.Json;
using StabilityLab.Models;
using StabilityLab.Statistics;

namespace StabilityLab.Tables;

/// <summary>
/// cells.csv (docs/file-formats.md): its columns, in order, with the writer (<see cref="Row"/>, and <see cref="Json"/>
/// for `sample --json`, so both carry the same keys) and the reader (<see cref="Parse"/>), which finds columns by
/// name (any order, extra columns ignored), reads the description back typed and checks every value.
/// </summary>
public static class CellsTable
{
    public const string FileName = "cells.csv";

    // When a statistic may be empty: never, in a cell without statistics, or also when the mean ratio is not estimable.
    private enum Empty { Never, NoStatistics, NotEstimable, Always }

    // The statistics columns, in file order, with where each comes from, when it may be empty and its range.
    private static readonly (string Name, Func<CellStatistics, double> Value, Empty Empty, double Min, double Max)[] Statistics =
    [
        ("fwd_log_sq_mean", s => s.FwdLogSqMean, Empty.NoStatistics, double.NegativeInfinity, double.PositiveInfinity),
        ("fwd_log_sq_sd", s => s.FwdLogSqSd, Empty.NoStatistics, 0, double.PositiveInfinity),
        ("fwd_log_sq_q05", s => s.FwdLogSqQ05, Empty.NoStatistics, double.NegativeInfinity, double.PositiveInfinity),
        ("fwd_log_sq_q50", s => s.FwdLogSqQ50, Empty.NoStatistics, double.NegativeInfinity, double.PositiveInfinity),
        ("fwd_log_sq_q95", s => s.FwdLogSqQ95, Empty.NoStatistics, double.NegativeInfinity, double.PositiveInfinity),
        ("fwd_log_mean_sq", s => s.FwdLogMeanSq, Empty.NoStatistics, double.NegativeInfinity, double.PositiveInfinity),
        ("fwd_log_mean_sq_lo", s => s.FwdLogMeanSqLo, Empty.NotEstimable, double.NegativeInfinity, double.PositiveInfinity),
        ("fwd_log_mean_sq_hi", s => s.FwdLogMeanSqHi, Empty.NotEstimable, double.NegativeInfinity, double.PositiveInfinity),
        ("fwd_max_log_sq_mean", s => s.FwdMaxLogSqMean, Empty.NoStatistics, double.NegativeInfinity, double.PositiveInfinity),
        ("bwd_log_sq_mean", s => s.BwdLogSqMean, Empty.NoStatistics, double.NegativeInfinity, double.PositiveInfinity),
        ("bwd_log_sq_sd", s => s.BwdLogSqSd, Empty.NoStatistics, 0, double.PositiveInfinity),
        ("bwd_log_sq_q50", s => s.BwdLogSqQ50, Empty.NoStatistics, double.NegativeInfinity, double.PositiveInfinity),
        ("blowup_frac", s => s.BlowupFrac, Empty.NoStatistics, 0, 1),
    ];

    // Beyond the contract's minimum, after dead_trials.
    private static readonly (string Name, Func<CellStatistics, double> Value, Empty Empty, double Min, double Max)[] Trailing =
    [
        ("blowup_frac_lo", s => s.BlowupFracLo, Empty.NoStatistics, 0, 1),
        ("blowup_frac_hi", s => s.BlowupFracHi, Empty.NoStatistics, 0, 1),
        ("fwd_ratio_khat", s => s.FwdRatioKhat, Empty.Always, double.NegativeInfinity, double.PositiveInfinity),
    ];

    private static readonly (string Name, Func<CellResult, object?> Value)[] Columns =
    [
        ("block", c => c.Spec.Block.Name()),
        ("activation", c => c.Spec.Activation.Name()),
        ("width", c => c.Spec.Width),
        ("depth", c => c.Spec.Depth),
        ("tau", c => c.Tau),
        ("trials", c => c.TrialsRun),
        ("sampler", c => c.Sampler),
        ("seed", c => c.Seed),
        .. Statistics.Select(s => (s.Name, Field(s.Value, s.Empty))),
        ("tau_rule", c => c.Spec.Tau.ToString()),
        ("weights", c => c.Spec.Weights.Name()),
        ("dead_trials", c => c.Stats.DeadTrials),
        .. Trailing.Select(s => (s.Name, Field(s.Value, s.Empty))),
        ("fwd_log_mean_sq_ok", c => c.Stats.FwdLogMeanSqOk ? 1 : 0),
        ("fwd_log_mean_sq_method", c => c.Stats.FwdLogMeanSqMethod),
        ("status", c => c.Stats.Status),
    ];

    // A statistic as a field: null (empty) where the column allows it, else the number (NaN there is a bug and throws).
    private static Func<CellResult, object?> Field(Func<CellStatistics, double> value, Empty empty) => c =>
        MayBeEmpty(empty, c.Stats.HasStatistics, c.Stats.FwdLogMeanSqOk) && !double.IsFinite(value(c.Stats)) ? null : value(c.Stats);

    private static bool MayBeEmpty(Empty empty, bool measured, bool ok) => empty switch
    {
        Empty.Always => true,
        Empty.NoStatistics => !measured,
        Empty.NotEstimable => !measured || !ok,
        _ => false,
    };

    public static IReadOnlyList<string> Names { get; } = Columns.Select(c => c.Name).ToArray();

    public static string Header() => string.Join(',', Names);

    public static string Row(CellResult cell) => string.Join(',', Columns.Select(c => Csv.Value(c.Value(cell))));

    /// <summary>One JSON object whose keys are exactly <see cref="Names"/>; numbers as numbers, an empty field as null.</summary>
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
                    case null: w.WriteNull(name); break;
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

    /// <summary>
    /// Reads and checks a cells table (<see cref="Parse"/>); beside a complete sweep's manifest.json, a row count other
    /// than the manifest's cells_in_run (a row lost or added) also throws <see cref="SpecException"/>.
    /// </summary>
    public static IReadOnlyList<CellRow> Read(string path)
    {
        var rows = Parse(CsvTable.Read(path));
        if (ExpectedRows(path) is int n && n != rows.Count)
            throw new SpecException($"{path} has {rows.Count} rows but its sweep ran {n} cells (manifest.json): a row is {(rows.Count < n ? "missing" : "extra")}");
        return rows;
    }

    // cells_in_run of a complete sweep manifest beside the file; null when there is none to compare with.
    private static int? ExpectedRows(string path)
    {
        var manifest = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", "manifest.json");
        if (!File.Exists(manifest)) return null;
        try
        {
            var m = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest));
            return (string?)m?["command"] == "sweep" && (string?)m?["status"] == "complete" ? (int?)m?["cells_in_run"] : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or IOException)
        {
            return null; // the manifest's own reader reports a broken manifest
        }
    }

    /// <summary>
    /// The rows of a cells table, every value checked (<see cref="CsvTable.Real"/>): NaN, ±∞, an out-of-range value,
    /// an empty field where the column does not allow one, or a cell that appears twice throws <see cref="SpecException"/>
    /// naming the file and line. Older files: without tau_rule the rule is the row's constant τ, without weights
    /// Gaussian; without the mean-ratio columns the interval counts as trusted where present.
    /// </summary>
    public static IReadOnlyList<CellRow> Parse(CsvTable t)
    {
        int block = t.Column("block"), act = t.Column("activation"), width = t.Column("width"), depth = t.Column("depth"),
            tau = t.Column("tau"), trials = t.Column("trials"), sampler = t.Column("sampler"), seed = t.Column("seed");
        int[] num = [.. Statistics.Select(s => t.Column(s.Name))];
        int Opt(string name) => t.Has(name) ? t.Column(name) : -1;
        int rule = Opt("tau_rule"), weights = Opt("weights"), dead = Opt("dead_trials");
        int khat = Opt("fwd_ratio_khat"), ok = Opt("fwd_log_mean_sq_ok"), method = Opt("fwd_log_mean_sq_method"), status = Opt("status");
        var rows = new List<CellRow>(t.Rows.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var r = t.Rows[i];
            int trialCount = t.Integer(r, trials, i, min: 0);
            int deadCount = dead >= 0 ? t.Integer(r, dead, i, min: 0) : 0;
            if (deadCount > trialCount) throw new SpecException($"{t.Where(dead, i)} is {deadCount}, more than trials ({trialCount})");
            string statusValue = status >= 0 ? r[status] : CellStatistics.Measured;
            if (statusValue is not (CellStatistics.Measured or CellStatistics.TooFewLive))
                throw new SpecException($"{t.Where(status, i)} is '{statusValue}' (expected {CellStatistics.Measured} or {CellStatistics.TooFewLive})");
            bool measured = statusValue == CellStatistics.Measured;
            string methodValue = method >= 0 ? r[method] : "";
            if (method >= 0 && methodValue is not (MeanRatio.SampleMean or MeanRatio.LogNormal or MeanRatio.NotEstimable))
                throw new SpecException($"{t.Where(method, i)} is '{methodValue}' (expected {MeanRatio.SampleMean}, {MeanRatio.LogNormal} or {MeanRatio.NotEstimable})");
            bool okValue = ok >= 0 ? t.Flag(r, ok, i) : r[num[6]].Length > 0 && r[num[7]].Length > 0;
            if (ok >= 0 && method >= 0 && okValue != (methodValue != MeanRatio.NotEstimable))
                throw new SpecException($"{t.Where(ok, i)} is {(okValue ? 1 : 0)} but the method is {methodValue}");
            double N(int k) => MayBeEmpty(Statistics[k].Empty, measured, okValue)
                ? t.Optional(r, num[k], i, Statistics[k].Min, Statistics[k].Max)
                : t.Real(r, num[k], i, Statistics[k].Min, Statistics[k].Max);
            double tauValue = t.Real(r, tau, i);
            var row = new CellRow(t.Block(r, block, i), t.Activation(r, act, i), t.Integer(r, width, i, min: 1), t.Integer(r, depth, i, min: 1), tauValue,
                trialCount, r[sampler], r[seed],
                N(0), N(1), N(2), N(3), N(4), N(5), N(6), N(7), N(8), N(9), N(10), N(11), N(12),
                rule >= 0 ? t.Rule(r, rule, i) : TauRule.Constant(tauValue),
                weights >= 0 ? t.WeightLaw(r, weights, i) : WeightLaw.Gaussian,
                deadCount,
                khat >= 0 ? t.Optional(r, khat, i) : double.NaN,
                okValue && measured,
                methodValue,
                statusValue);
            string key = string.Join('|', row.Block, row.Activation, row.Weights, row.Width, row.Depth, row.Rule, row.Tau, row.Sampler, row.Seed);
            if (seen.TryGetValue(key, out int first))
                throw new SpecException($"{t.Source} line {t.Line(i)}: the cell of line {t.Line(first)} appears again");
            seen[key] = i;
            rows.Add(row);
        }
        return rows;
    }
}
