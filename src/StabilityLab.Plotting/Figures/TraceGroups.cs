using System.Globalization;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>
/// The traced cells a per-layer figure draws, one group of rows per cell, with what the figures
/// built from traces.csv share: the filter's description, the layer-axis title and each group's
/// series tag and legend label (the depth is named when the groups differ in depth).
/// </summary>
internal sealed record TraceGroups(IReadOnlyList<IReadOnlyList<TraceRow>> Groups, string Description, IReadOnlyList<int> Depths, IReadOnlyList<RuleClass> Classes)
{
    public static TraceGroups From(IReadOnlyList<TraceRow> traces, IReadOnlyList<CellRow>? cells, CellFilter filter, TraceSelection select)
    {
        string description = "";
        if (cells is { Count: > 0 })
        {
            (_, description) = filter.Apply(cells);
            traces = filter.Apply(traces, cells);
        }
        var all = select.Apply(traces);
        // Rules with the same τ at every depth trace the same cells: one group per depth and class (RuleClass).
        var classes = RuleClass.Of(all.Select(g => g[0].Rule).ToList());
        var groups = all.DistinctBy(g => (g[0].Depth, classes.First(c => c.Contains(g[0].Rule)))).ToList();
        return new TraceGroups(groups, description, groups.Select(g => g[0].Depth).Distinct().ToList(), classes);
    }

    /// <summary>The subtitle: the filter's description, then what is drawn.</summary>
    public string Subtitle(string what) => Description.Length > 0 ? Description + "; " + what : what;

    public string LayerAxisTitle => Depths.Count == 1
        ? Symbols.LayerAxis + $" (L = {Depths[0].ToString(CultureInfo.InvariantCulture)})"
        : Symbols.LayerAxis;

    /// <summary>The series tag (for the CSV) and the legend label of one group.</summary>
    public (string Tag, string Label) Names(IReadOnlyList<TraceRow> group)
    {
        var rule = Classes.First(c => c.Contains(group[0].Rule));
        string depth = group[0].Depth.ToString(CultureInfo.InvariantCulture);
        return Depths.Count > 1
            ? ($"{rule.Tag}, L={depth}", rule.Label + $", L = {depth}")
            : (rule.Tag, rule.Label);
    }
}
