using StabilityLab.Tables;

namespace StabilityLab.Plotting.Data;

/// <summary>Where figures find a training run's curves (the table itself: <see cref="TrainingTables"/>).</summary>
public static class PlotData
{
    public const string CurvesFile = TrainingTables.CurvesFile;

    public static IReadOnlyList<TrainingCurvePoint> ReadTrainingCurves(string path) => TrainingTables.ReadCurves(path);
}
