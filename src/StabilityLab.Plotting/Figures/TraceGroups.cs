using System.Globalization;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>
/// The traced cells a per-layer figure draws, one group of rows per cell, with what the figures
/// built from traces.csv share: the filter's description, the layer-axis title and each group's
/// series tag and legend label (the depth is named when the groups differ in depth).
/// </summary>
internal sealed record TraceGroups(IReadOnlyList<IReadOnlyList<TraceRow>> Groups, string Description, IReadOnlyList<int> Depths)
{
    public static TraceGroups From(IReadOnlyList<TraceRow> traces, IReadOnlyList<CellRow>? cells, CellFilter filter, TraceSelection select)
    {
        string description = "";
        if (cells is { Count: > 0 })
        {
            (_, description) = filter.Apply(cells);
            traces = filter.Apply(traces, cells);
        }
        var groups = select.Apply(traces);
        return new TraceGroups(groups, description, groups.Select(g => g[0].Depth).Distinct().ToList());
    }

    /// <summary>The subtitle: the filter's description, then what is drawn.</summary>
    public string Subtitle(string what) => Description.Length > 0 ? Description + "; " + what : what;

    public string LayerAxisTitle => Depths.Count == 1
        ? Symbols.LayerAxis + $" (L = {Depths[0].ToString(CultureInfo.InvariantCulture)})"
        : Symbols.LayerAxis;

    /// <summary>The series tag (for the CSV) and the legend label of one group.</summary>
    public (string Tag, string Label) Names(IReadOnlyList<TraceRow> group)
    {
        var rule = group[0].Rule;
        string depth = group[0].Depth.ToString(CultureInfo.InvariantCulture);
        return Depths.Count > 1
            ? ($"{rule}, L={depth}", TauLabel.Of(rule) + $", L = {depth}")
            : (rule.ToString(), TauLabel.Of(rule));
    }
}
