using System.Security.Cryptography;
using System.Text;
using StabilityLab.Sweeps;

namespace StabilityLab.Claims;

/// <summary>
/// The stability sweeps the claims need. Claims and controls on the same network, depths and trials share one sweep
/// holding every τ rule they use (trials aligned across τ, as in any sweep), so the cells of a claim and of its control
/// come from the same draws; each sweep has per-trial scalars (raw.csv) for the statistics and the threshold
/// bootstrap. A sweep lives under studies/&lt;key&gt;, the key a hash of its spec, so a finished sweep is reused by content
/// and two different sweeps never share a directory.
/// </summary>
public static class ClaimStudies
{
    public const string Folder = "studies";

    /// <summary>The sweep of every claim (by id), claims and controls alike.</summary>
    public static IReadOnlyDictionary<string, SweepSpec> Plan(IEnumerable<Claim> claims, ulong seed)
    {
        var list = claims.ToList();
        var plan = new Dictionary<string, SweepSpec>(StringComparer.Ordinal);
        foreach (var g in list.GroupBy(c => (c.Network, Depths: string.Join(",", c.Depths), c.Trials)))
        {
            var first = g.First();
            var taus = Merge(g.Select(c => c.TauEntry));
            var spec = new SweepSpec
            {
                Blocks = [Models.ModelNames.Name(first.Network.Block)],
                Activation = Models.ModelNames.Name(first.Network.Activation),
                Weights = Models.ModelNames.Name(first.Network.Weights),
                Widths = [first.Network.Width],
                Depths = first.Depths.ToArray(),
                Taus = taus,
                Trials = first.Trials,
                Seed = seed,
                Raw = true,
                // Per-layer traces at one depth near 64 feed the layer figure; they change no cell statistic.
                TraceDepths = [first.Depths.MinBy(d => Math.Abs(Math.Log(d / 64.0)))],
            };
            foreach (var c in g) plan[c.Id] = spec;
        }
        return plan;
    }

    /// <summary>12 hex digits of the SHA-256 of the spec's JSON.</summary>
    public static string Key(SweepSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(spec.ToJson())))[..12];

    /// <summary>
    /// The distinct τ entries, members of one family (the same rule with one parameter, e.g. c of L^(−1/2+c)) merged into
    /// one entry with the union of their values, so the sweep and its figures see one family.
    /// </summary>
    private static TauGridEntry[] Merge(IEnumerable<TauGridEntry> entries)
    {
        var list = entries.DistinctBy(EntryKey).ToList();
        var merged = new List<TauGridEntry>();
        foreach (var g in list.GroupBy(e => (e.Rule, Key: e.Params is { Count: 1 } p ? p.Keys.Single() : null)))
        {
            if (g.Key.Key is not { } name) { merged.AddRange(g); continue; }
            var values = g.SelectMany(e => e.Params![name]).Distinct().ToArray();
            merged.Add(new TauGridEntry(g.Key.Rule, new Dictionary<string, double[]> { [name] = values }));
        }
        return merged.ToArray();
    }

    private static string EntryKey(TauGridEntry e) =>
        e.Rule + "|" + string.Join(";", (e.Params ?? new Dictionary<string, double[]>()).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + string.Join(",", p.Value.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
}
