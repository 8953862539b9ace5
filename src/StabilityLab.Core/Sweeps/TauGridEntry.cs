using StabilityLab.Models;

namespace StabilityLab.Sweeps;

/// <summary>
/// One τ entry of a sweep: a rule, and for a family (e.g. <c>L^-beta</c>) the values of each
/// named parameter; the entry expands to one τ rule per combination.
/// </summary>
public sealed record TauGridEntry(string Rule, IReadOnlyDictionary<string, double[]>? Params = null)
{
    public IEnumerable<TauRule> Expand()
    {
        var rule = TauRule.Parse(Rule);
        IEnumerable<TauRule> rules = [rule];
        foreach (var (name, values) in (Params ?? new Dictionary<string, double[]>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (values.Length == 0) throw new SpecException($"parameter {name} of τ rule '{Rule}' has no values");
            rules = rules.SelectMany(r => values.Select(v => r.Bind(name, v))).ToList();
        }
        var list = rules.ToList();
        var free = list[0].FreeParameters;
        if (free.Count > 0)
            throw new SpecException($"τ rule '{Rule}' needs values for {string.Join(", ", free)} (e.g. --param {free.First()}=0:1:33)");
        return list;
    }
}
