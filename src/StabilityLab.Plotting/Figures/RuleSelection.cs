using StabilityLab.Tables;
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
    /// one of <paramref name="available"/>), else the default selection.
    /// </summary>
    public static IReadOnlyList<string> Choose(IEnumerable<string> available, IReadOnlyCollection<string>? requested = null)
    {
        var all = available.Distinct().ToList();
        if (requested is { Count: > 0 })
        {
            var missing = requested.Where(r => !all.Contains(r)).ToList();
            if (missing.Count > 0)
                throw new StabilityLab.Models.SpecException($"τ rule '{missing[0]}' is not in the data (rules: {string.Join("; ", all)})");
            return all.Where(requested.Contains).ToList();
        }
        return Default(all);
    }

    public static IReadOnlyList<string> Default(IReadOnlyList<string> rules, int membersPerFamily = DefaultMembersPerFamily)
    {
        var names = rules.Select(TauRuleName.Parse).ToList();
        var keep = new HashSet<string>(names.Where(n => !n.IsFamilyMember).Select(n => n.Text));
        foreach (var family in names.Where(n => n.IsFamilyMember).GroupBy(n => n.Family))
        {
            var members = family.OrderBy(n => n.Parameters[0].Value).ToList();
            if (members.Count <= membersPerFamily) { keep.UnionWith(members.Select(m => m.Text)); continue; }
            for (int k = 1; k <= membersPerFamily; k++)
                keep.Add(members[(int)Math.Round((double)k * (members.Count - 1) / (membersPerFamily + 1))].Text);
        }
        return rules.Where(keep.Contains).ToList();
    }
}
