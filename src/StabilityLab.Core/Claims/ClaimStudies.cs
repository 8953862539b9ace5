using System.Security.Cryptography;
using System.Text;
using StabilityLab.Sweeps;

namespace StabilityLab.Claims;

/// <summary>
/// The stability sweep a claim needs: its network, τ rule or family, depths and trials at the file's seed, with
/// per-trial scalars (raw.csv) for the statistics and the threshold bootstrap. Claims and controls that need the
/// same sweep share it; a sweep lives under studies/&lt;key&gt;, the key a hash of its spec, so a finished sweep is
/// reused by content and two different sweeps never share a directory.
/// </summary>
public static class ClaimStudies
{
    public const string Folder = "studies";

    public static SweepSpec Spec(Claim c, ulong seed) => new()
    {
        Blocks = [Models.ModelNames.Name(c.Network.Block)],
        Activation = Models.ModelNames.Name(c.Network.Activation),
        Weights = Models.ModelNames.Name(c.Network.Weights),
        Widths = [c.Network.Width],
        Depths = c.Depths.ToArray(),
        Taus = [c.TauEntry],
        Trials = c.Trials,
        Seed = seed,
        Raw = true,
    };

    /// <summary>12 hex digits of the SHA-256 of the spec's JSON.</summary>
    public static string Key(SweepSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(spec.ToJson())))[..12];
}
