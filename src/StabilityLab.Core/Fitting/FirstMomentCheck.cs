using System.Globalization;
using StabilityLab.Tables;
using StabilityLab.Theory;

namespace StabilityLab.Fitting;

/// <summary>
/// The exact first-moment bounds L·log(1+τ²) ≤ log E ratio ≤ L·log(1+2τ²) (docs/science.md §2) against every
/// post/ReLU cell, by <see cref="BoundCheck"/>: a one-sided z-test per cell, Bonferroni over the cells. Shared by
/// `fit` and `verify --bound first-moment`.
/// </summary>
public static class FirstMomentCheck
{
    public const string Claim = "exact first-moment bounds (post, ReLU)";
    public const string Prediction = "L·log(1+τ²) ≤ log E ratio ≤ L·log(1+2τ²)";

    /// <summary>
    /// The check, or null when the sweep has no post/ReLU cell. <paramref name="reliable"/> says whether a cell's
    /// log E ratio estimate can be trusted (by default <see cref="CellRow.HasTrustedMean"/>, the cell's own flag): cells it
    /// rejects are left out and counted, and the check is INCONCLUSIVE when none is left.
    /// </summary>
    public static Check? Build(IReadOnlyList<CellRow> cells, double alpha = 0.05, Func<CellRow, bool>? reliable = null)
    {
        var post = cells.Where(SweepAnalysis.IsPostRelu).ToList();
        if (post.Count == 0) return null;
        var rows = post.Where(reliable ?? (c => c.HasTrustedMean)).ToList();
        int unreliable = post.Count - rows.Count;
        string test = F($"one-sided z-test per cell, Bonferroni over the cells (p = n × the worst cell's p), Holm-adjusted p ≤ {alpha:G3} contradicts");
        if (rows.Count == 0) return Check.Inconclusive(Claim, Prediction, test, F($"all {post.Count} cells flagged unreliable"));
        var bc = rows.Select(c => new BoundCell(c.Depth, c.Tau, c.Width, c.FwdLogMeanSq, (c.FwdLogMeanSqHi - c.FwdLogMeanSqLo) / 3.92)).ToList();
        // Two rules can give the same cell (1/sqrt(L) and L^-beta at β = 1/2 share their draws): look bounds up by position.
        var bounds = rows.Select(c => FirstMomentBounds.PostRelu(c.Rule.Schedule(c.Depth))).ToArray();
        var position = new Dictionary<BoundCell, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < bc.Count; i++) position[bc[i]] = i;
        var v = BoundCheck.LogMeanRatio(bc, c => (bounds[position[c]].LogLower, bounds[position[c]].LogUpper), alpha);
        string measured = F($"{v.Cells - v.Contradicting}/{v.Cells} cells within {v.CriticalZ:F2} SE; largest excursion {Math.Max(v.WorstZ, 0):F2} SE (L={v.Worst?.Depth}, τ={v.Worst?.Tau:G4})")
            + (unreliable > 0 ? F($"; {unreliable} unreliable cells left out") : "");
        return new Check(Claim, Prediction, measured, test, v.PValue, adj => (adj <= alpha ? VerdictOutcome.Fail : VerdictOutcome.Pass, null));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
