using StabilityLab.Models;

namespace StabilityLab.Tables;

/// <summary>
/// The training study's tables (docs/file-formats.md): curves.csv, one row per recorded step of every run, and
/// runs.csv, one row per finished run. Their columns, in order, defined here once; the study writes them
/// (StabilityLab.Torch.Training.TrainingStudy) and figures read curves.csv back with <see cref="ReadCurves"/>.
/// </summary>
public static class TrainingTables
{
    public const string CurvesFile = "curves.csv", RunsFile = "runs.csv";

    // What identifies a run: the first columns of both files.
    private static readonly string[] Run =
        ["run", "dataset", "block", "activation", "width", "depth", "tau_rule", "tau", "seed", "optimizer", "lr", "trained", "precision"];

    // Declared before RunColumns, which reads it (static initializers run in order).
    /// <summary>The linearized (NTK) prediction's columns at the end of runs.csv; files written before them lack them.</summary>
    public static IReadOnlyList<string> LinearizedColumns { get; } = ["ntk_lambda_min", "ntk_lambda_max", "rate_pred", "curve_gap"];

    public static IReadOnlyList<string> CurveColumns { get; } =
        [.. Run, "step", "loss", "mean_loss", "train_acc", "test_loss", "test_acc"];

    public static IReadOnlyList<string> RunColumns { get; } =
    [
        .. Run, "outcome", "steps_done", "diverged_step", "initial_loss", "final_loss", "loss_ratio",
        "rate", "rate_lo", "rate_hi", "fit_from", "fit_to", "fit_points", "fit_r2", "train_acc", "test_acc", "weight_change", "delta",
        .. LinearizedColumns, "zero_loss",
    ];

    /// <summary>
    /// A training curves file: at least the columns tau_rule, depth, seed, step, loss (any order, more allowed).
    /// An empty loss (not measured, e.g. after a divergence) reads as NaN (the figure skips it and says so); a loss
    /// written as NaN or ±∞, or a negative step, depth or seed throws <see cref="SpecException"/> naming the line.
    /// </summary>
    public static IReadOnlyList<TrainingCurvePoint> ReadCurves(string path) => ParseCurves(CsvTable.Read(path));

    public static IReadOnlyList<TrainingCurvePoint> ParseCurves(CsvTable t)
    {
        int rule = t.Column("tau_rule"), depth = t.Column("depth"), seed = t.Column("seed"), step = t.Column("step"), loss = t.Column("loss");
        var points = new List<TrainingCurvePoint>(t.Rows.Count);
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var r = t.Rows[i];
            points.Add(new TrainingCurvePoint(t.Rule(r, rule, i), t.Integer(r, depth, i, min: 1), t.Integer(r, seed, i, min: 0), t.Integer(r, step, i, min: 0), t.Optional(r, loss, i)));
        }
        return points;
    }
}
