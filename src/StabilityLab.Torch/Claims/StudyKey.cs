using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using StabilityLab.Output;

namespace StabilityLab.Torch.Claims;

/// <summary>What the claim runners share: a study's directory name under studies/ (12 hex digits of the SHA-256 of its
/// settings, as the sweeps' keys are made: <see cref="StabilityLab.Claims.ClaimStudies.Key"/>), whether it finished, and
/// the validation of the planned studies.</summary>
internal static class StudyKey
{
    public static string Of(JsonObject settings) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonText.Of(settings))))[..12];

    /// <summary>Validates each claim's planned study, naming the claim in the error.</summary>
    public static void ValidateEach<TSpec>(IReadOnlyList<StabilityLab.Claims.Claim> claims, IReadOnlyDictionary<string, TSpec> plan, Action<TSpec> validate)
    {
        foreach (var c in claims)
        {
            try { validate(plan[c.Id]); }
            catch (StabilityLab.Models.SpecException e) { throw new StabilityLab.Models.SpecException($"claim '{c.Id}': {e.Message}"); }
        }
    }

    /// <summary>A finished study: its manifest says complete.</summary>
    public static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, RunManifest.FileName)) && RunManifest.StatusOf(RunManifest.Read(dir)) == RunStatus.Complete;
}
