using System.Globalization;
using StabilityLab.Models;

namespace StabilityLab.Tables;

/// <summary>
/// Reads a sweep directory's tables: cells.csv and traces.csv. Columns are found by name (any order,
/// extra columns ignored, quoted fields allowed); a missing file or column throws
/// <see cref="SpecException"/> with a one-line message.
/// </summary>
public static class SweepTables
{
    public const string CellsFile = "cells.csv";
    public const string TracesFile = "traces.csv";

    /// <summary>cells.csv and (when present) traces.csv of a sweep directory.</summary>
    public static SweepData ReadSweep(string directory)
    {
        if (!Directory.Exists(directory)) throw new SpecException($"not a directory: {directory}");
        var cells = Path.Combine(directory, CellsFile);
        if (!File.Exists(cells)) throw new SpecException($"{directory} has no {CellsFile}: not a sweep directory");
        var traces = Path.Combine(directory, TracesFile);
        return new SweepData(directory, ReadCells(cells), File.Exists(traces) ? ReadTraces(traces) : []);
    }

    public static IReadOnlyList<CellRow> ReadCells(string path) => ParseCells(CsvTable.Read(path));

    public static IReadOnlyList<CellRow> ParseCells(CsvTable t)
    {
        int block = t.Column("block"), act = t.Column("activation"), width = t.Column("width"), depth = t.Column("depth"),
            tau = t.Column("tau"), trials = t.Column("trials"), sampler = t.Column("sampler"), seed = t.Column("seed");
        int[] num = [.. new[]
        {
            "fwd_log_sq_mean", "fwd_log_sq_sd", "fwd_log_sq_q05", "fwd_log_sq_q50", "fwd_log_sq_q95",
            "fwd_log_mean_sq", "fwd_log_mean_sq_lo", "fwd_log_mean_sq_hi", "fwd_max_log_sq_mean",
            "bwd_log_sq_mean", "bwd_log_sq_sd", "bwd_log_sq_q50", "blowup_frac",
        }.Select(t.Column)];
        int rule = t.Has("tau_rule") ? t.Column("tau_rule") : -1;
        int weights = t.Has("weights") ? t.Column("weights") : -1;
        int dead = t.Has("dead_trials") ? t.Column("dead_trials") : -1;
        var rows = new List<CellRow>(t.Rows.Count);
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var r = t.Rows[i];
            double N(int k) => CsvTable.Number(r[num[k]]);
            double tauValue = CsvTable.Number(r[tau]);
            rows.Add(new CellRow(r[block], r[act], t.Integer(r, width, i), t.Integer(r, depth, i), tauValue,
                t.Integer(r, trials, i), r[sampler], r[seed],
                N(0), N(1), N(2), N(3), N(4), N(5), N(6), N(7), N(8), N(9), N(10), N(11), N(12),
                rule >= 0 ? r[rule] : tauValue.ToString("R", CultureInfo.InvariantCulture),
                weights >= 0 ? r[weights] : "gaussian",
                dead >= 0 ? t.Integer(r, dead, i) : 0));
        }
        return rows;
    }

    public static IReadOnlyList<TraceRow> ReadTraces(string path) => ParseTraces(CsvTable.Read(path));

    public static IReadOnlyList<TraceRow> ParseTraces(CsvTable t)
    {
        int cell = t.Column("cell"), block = t.Column("block"), width = t.Column("width"), depth = t.Column("depth"),
            tau = t.Column("tau"), rule = t.Column("tau_rule"), layer = t.Column("layer");
        int[] num = [.. new[]
        {
            "fwd_log_sq_mean", "fwd_log_sq_q05", "fwd_log_sq_q50", "fwd_log_sq_q95",
            "bwd_log_sq_mean", "bwd_log_sq_q05", "bwd_log_sq_q50", "bwd_log_sq_q95", "wgrad_log_sq_mean",
        }.Select(t.Column)];
        var rows = new List<TraceRow>(t.Rows.Count);
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var r = t.Rows[i];
            double N(int k) => CsvTable.Number(r[num[k]]);
            rows.Add(new TraceRow(t.Integer(r, cell, i), r[block], t.Integer(r, width, i), t.Integer(r, depth, i),
                CsvTable.Number(r[tau]), r[rule], t.Integer(r, layer, i),
                N(0), N(1), N(2), N(3), N(4), N(5), N(6), N(7), N(8)));
        }
        return rows;
    }
}
