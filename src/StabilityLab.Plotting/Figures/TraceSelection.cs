using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>
/// Which traced cells a per-layer figure draws: explicit cell indices (the traces.csv cell column), or
/// τ rules at one depth. Defaults: the deepest traced depth and <see cref="RuleSelection.Default"/>.
/// </summary>
public sealed record TraceSelection(IReadOnlyList<int>? Cells = null, IReadOnlyList<string>? Rules = null, int? Depth = null)
{
    /// <summary>The chosen cells' rows grouped by cell, in the order the cells first appear.</summary>
    public IReadOnlyList<IReadOnlyList<TraceRow>> Apply(IReadOnlyList<TraceRow> traces)
    {
        if (traces.Count == 0) throw new SpecException("no per-layer traces to plot (run the sweep with --trace-depth)");
        IEnumerable<TraceRow> chosen;
        if (Cells is { Count: > 0 })
        {
            var missing = Cells.Where(c => !traces.Any(t => t.Cell == c)).ToList();
            if (missing.Count > 0) throw new SpecException($"cell {missing[0]} has no trace (traced cells: {string.Join(", ", traces.Select(t => t.Cell).Distinct())})");
            chosen = traces.Where(t => Cells.Contains(t.Cell));
        }
        else
        {
            int depth = Depth ?? traces.Max(t => t.Depth);
            var atDepth = traces.Where(t => t.Depth == depth).ToList();
            if (atDepth.Count == 0) throw new SpecException($"no traces at depth {depth} (traced depths: {string.Join(", ", traces.Select(t => t.Depth).Distinct())})");
            var rules = RuleSelection.Choose(atDepth.Select(t => t.Rule), Rules);
            chosen = atDepth.Where(t => rules.Contains(t.Rule));
        }
        return chosen.GroupBy(t => t.Cell).Select(g => (IReadOnlyList<TraceRow>)g.OrderBy(t => t.Layer).ToList()).ToList();
    }
}
