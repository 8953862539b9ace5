using StabilityLab.Models;

namespace StabilityLab.Tables;

/// <summary>
/// Reads a sweep directory's tables: cells.csv (<see cref="CellsTable"/>) and traces.csv (<see cref="TracesTable"/>).
/// A missing file or column throws <see cref="SpecException"/> with a one-line message.
/// </summary>
public static class SweepTables
{
    /// <summary>cells.csv and (when present) traces.csv of a sweep directory.</summary>
    public static SweepData ReadSweep(string directory)
    {
        if (!Directory.Exists(directory)) throw new SpecException($"not a directory: {directory}");
        var cells = Path.Combine(directory, CellsTable.FileName);
        if (!File.Exists(cells)) throw new SpecException($"{directory} has no {CellsTable.FileName}: not a sweep directory");
        var traces = Path.Combine(directory, TracesTable.FileName);
        return new SweepData(directory, CellsTable.Read(cells), File.Exists(traces) ? TracesTable.Read(traces) : []);
    }
}
