using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>
/// Which network a figure shows when a sweep holds several: block, activation and width. A null field takes
/// the sweep's first block, first activation and largest width, so every line of a figure is one network family.
/// </summary>
public sealed record CellFilter(BlockKind? Block = null, Activation? Activation = null, int? Width = null)
{
    public static CellFilter Default { get; } = new();

    /// <summary>The rows of the chosen network, and a one-line description (e.g. "post block, relu, width m = 128").</summary>
    public (IReadOnlyList<CellRow> Rows, string Description) Apply(IReadOnlyList<CellRow> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count == 0) throw new SpecException("no cells to plot");
        var block = Block ?? cells[0].Block;
        var act = Activation ?? cells.First(c => c.Block == block).Activation;
        var candidates = cells.Where(c => c.Block == block && c.Activation == act).ToList();
        if (candidates.Count == 0) throw new SpecException($"no cells with block {block.Name()} and activation {act.Name()}");
        int width = Width ?? candidates.Max(c => c.Width);
        var rows = candidates.Where(c => c.Width == width).ToList();
        if (rows.Count == 0) throw new SpecException($"no cells with width {width} (widths: {string.Join(", ", candidates.Select(c => c.Width).Distinct())})");
        int trials = rows.Min(c => c.Trials), trialsMax = rows.Max(c => c.Trials);
        string n = trials == trialsMax ? trials.ToString(CultureInfo.InvariantCulture) : $"{trials}–{trialsMax}";
        return (rows, $"{block.Name()} block, {act.Name()}, width m = {width}, {n} networks per cell");
    }

    /// <summary>The trace rows of the same network (traces.csv has no activation column).</summary>
    public IReadOnlyList<TraceRow> Apply(IReadOnlyList<TraceRow> traces, IReadOnlyList<CellRow> cells)
    {
        var (rows, _) = Apply(cells);
        var block = rows[0].Block;
        int width = rows[0].Width;
        return traces.Where(t => t.Block == block && t.Width == width).ToList();
    }
}
