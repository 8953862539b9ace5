using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Data;

/// <summary>
/// Reads a training run's curves.csv for figures (a sweep's tables are read by <see cref="SweepTables"/>).
/// Columns are found by name; a missing file or column throws <see cref="SpecException"/>.
/// </summary>
public static class PlotData
{
    public const string CurvesFile = "curves.csv";

    /// <summary>
    /// A training curves file: at least the columns tau_rule, depth, seed, step, loss (any order, more allowed).
    /// A loss that is empty or not finite reads as NaN (the figure skips it and says so).
    /// </summary>
    public static IReadOnlyList<TrainingCurvePoint> ReadTrainingCurves(string path) => ParseTrainingCurves(CsvTable.Read(path));

    public static IReadOnlyList<TrainingCurvePoint> ParseTrainingCurves(CsvTable t)
    {
        int rule = t.Column("tau_rule"), depth = t.Column("depth"), seed = t.Column("seed"), step = t.Column("step"), loss = t.Column("loss");
        var points = new List<TrainingCurvePoint>(t.Rows.Count);
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var r = t.Rows[i];
            points.Add(new TrainingCurvePoint(t.Rule(r, rule, i), t.Integer(r, depth, i), t.Integer(r, seed, i), t.Integer(r, step, i), CsvTable.Number(r[loss])));
        }
        return points;
    }
}
