using StabilityLab.Models;

namespace StabilityLab.Plotting.Figures;

/// <summary>
/// Which τ rules a figure draws. A family such as <c>L^-beta</c> contributes one rule per parameter value;
/// by default a figure shows every rule that is not a family member plus at most three members of each
/// family (its quartiles), so a 33-value β grid does not bury the plot.
/// </summary>
public static class RuleSelection
{
    public const int DefaultMembersPerFamily = 3;

    /// <summary>
    /// The rules to draw, in the order they first appear: <paramref name="requested"/> when given (each must be
    /// one of <paramref name="available"/>, written as files write rules, e.g. <c>L^-beta [beta=0.5]</c>), else the
    /// default selection.
    /// </summary>
    public static IReadOnlyList<TauRule> Choose(IEnumerable<TauRule> available, IReadOnlyCollection<string>? requested = null)
    {
        var all = available.Distinct().ToList();
        if (requested is { Count: > 0 })
        {
            var wanted = requested.Select(r => (Text: r, Rule: Parse(r))).ToList();
            var missing = wanted.Where(w => w.Rule is null || !all.Contains(w.Rule)).ToList();
            if (missing.Count > 0)
                throw new SpecException($"τ rule '{missing[0].Text}' is not in the data (rules: {string.Join("; ", all)})");
            return all.Where(r => wanted.Any(w => r.Equals(w.Rule))).ToList();
        }
        return Default(all);
    }

    public static IReadOnlyList<TauRule> Default(IReadOnlyList<TauRule> rules, int membersPerFamily = DefaultMembersPerFamily)
    {
        var keep = new HashSet<TauRule>(rules.Where(n => !n.IsFamilyMember));
        foreach (var family in rules.Where(n => n.IsFamilyMember).Distinct().GroupBy(n => n.Family))
        {
            var members = family.OrderBy(n => n.Parameters[0].Value).ToList();
            if (members.Count <= membersPerFamily) { keep.UnionWith(members); continue; }
            for (int k = 1; k <= membersPerFamily; k++)
                keep.Add(members[(int)Math.Round((double)k * (members.Count - 1) / (membersPerFamily + 1))]);
        }
        return rules.Where(keep.Contains).ToList();
    }

    private static TauRule? Parse(string text)
    {
        try
        {
            return TauRule.ParseBound(text);
        }
        catch (SpecException)
        {
            return null;
        }
    }
}
