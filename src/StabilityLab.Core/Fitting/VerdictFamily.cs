namespace StabilityLab.Fitting;

/// <summary>
/// The checks of one run (one `fit`, one `verify`) as a family: the p-values are adjusted together by
/// <see cref="Holm"/>, each check decides on its adjusted p-value, and the headline counts all three outcomes.
/// </summary>
public static class VerdictFamily
{
    public static IReadOnlyList<Verdict> Resolve(IReadOnlyList<Check> checks)
    {
        var tested = checks.Select((c, i) => (c, i)).Where(x => x.c.PValue is not null).ToList();
        var adjusted = Holm.Adjust(tested.Select(x => x.c.PValue!.Value).ToArray());
        var adj = new double?[checks.Count];
        for (int k = 0; k < tested.Count; k++) adj[tested[k].i] = adjusted[k];
        return checks.Select((c, i) =>
        {
            var (outcome, reason) = c.Decide(adj[i] ?? double.NaN);
            return new Verdict(c.Claim, c.Prediction, c.Measurement, outcome, c.Test, reason, c.PValue, adj[i]);
        }).ToList();
    }

    /// <summary>"11 PASS · 0 FAIL · 2 INCONCLUSIVE", and over how many p-values Holm's correction ran.</summary>
    public static string Headline(IReadOnlyList<Verdict> verdicts)
    {
        string counts = string.Join(" · ", Enum.GetValues<VerdictOutcome>().Select(o => $"{verdicts.Count(v => v.Result == o)} {Verdict.Name(o)}"));
        int tested = verdicts.Count(v => v.AdjustedPValue is not null);
        return tested > 0 ? $"{counts} (Holm-corrected over {tested} {(tested == 1 ? "check" : "checks")})" : counts;
    }
}
