using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using StabilityLab.Output;

namespace StabilityLab.Torch.Claims;

/// <summary>A study's directory name under studies/: 12 hex digits of the SHA-256 of its settings, as the sweeps' keys are made (<see cref="StabilityLab.Claims.ClaimStudies.Key"/>).</summary>
internal static class StudyKey
{
    public static string Of(JsonObject settings) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonText.Of(settings))))[..12];

    /// <summary>A finished study: its manifest says complete.</summary>
    public static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, RunManifest.FileName)) && RunManifest.StatusOf(RunManifest.Read(dir)) == RunStatus.Complete;
}
