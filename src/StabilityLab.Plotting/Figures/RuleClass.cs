using StabilityLab.Models;
using StabilityLab.Plotting.Style;

namespace StabilityLab.Plotting.Figures;

/// <summary>
/// Rules that give the same τ at every depth — <c>1/sqrt(L)</c> and <c>L^-beta [beta=0.5]</c> are both τ = 1·L^(−1/2)
/// (<see cref="TauRule.TryPowerLaw"/>) — are one set of cells: a figure draws (and computes) them once, named by all.
/// </summary>
public sealed record RuleClass(IReadOnlyList<TauRule> Rules)
{
    /// <summary>The rule whose cells are drawn: a plain rule before a family member (Rules is ordered so).</summary>
    public TauRule Representative => Rules[0];

    /// <summary>The series tag (the CSV's series name): the representative as files write it, stable when a class grows.</summary>
    public string Tag => Representative.ToString();

    /// <summary>
    /// The legend label: τ = each rule, plain rules first, family members as their formula with the parameter values
    /// after (τ = 1/√L = L^{−β}, β = 0.5); a class of one rule keeps <see cref="TauLabel.Of"/>.
    /// </summary>
    public string Label
    {
        get
        {
            if (Rules.Count == 1) return TauLabel.Of(Rules[0]);
            var names = Rules.Select(r => r.IsFamilyMember ? TauLabel.Family(r)[4..] : TauLabel.Of(r)[4..]);
            var values = Rules.Where(r => r.IsFamilyMember)
                .SelectMany(r => r.Parameters.Select(p => $"{TauLabel.Symbol(p.Key)} = {HouseStyle.Number(p.Value)}"));
            return "τ = " + string.Join(" = ", names) + string.Concat(values.Select(v => ", " + v));
        }
    }

    public bool Contains(TauRule rule) => Rules.Contains(rule);

    /// <summary>Groups rules (in order of first appearance) into classes of equal power laws; other rules stay alone.</summary>
    public static IReadOnlyList<RuleClass> Of(IReadOnlyList<TauRule> rules)
    {
        var classes = new List<List<TauRule>>();
        foreach (var rule in rules.Distinct())
        {
            var same = rule.TryPowerLaw(out double a, out double e)
                ? classes.FirstOrDefault(c => c[0].IsPowerLaw(a, e))
                : null;
            if (same is null) classes.Add([rule]);
            else same.Add(rule);
        }
        return classes.Select(c => new RuleClass(c.OrderBy(r => r.IsFamilyMember).ToList())).ToList();
    }
}
