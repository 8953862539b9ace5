using StabilityLab.Claims;
using StabilityLab.Models;

namespace StabilityLab.Reports;

/// <summary>
/// The scale of one reproduction: which claims file `reproduce` checks. <c>quick</c> finishes in minutes on a 2-core
/// laptop (claims/zhang2022.json); <c>paper</c> is the paper scale (claims/zhang2022-paper.json: width 512,
/// L = 16..4096 in factors of 2, 33 values of β, 1000 trials). Every size — sweeps, training, block products — is in the file.
/// </summary>
public sealed record ReproduceScale(string Name)
{
    public static ReproduceScale Quick { get; } = new("quick");
    public static ReproduceScale Paper { get; } = new("paper");

    public static ReproduceScale Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "quick" => Quick,
        "paper" => Paper,
        _ => throw new SpecException($"unknown scale '{name}' (expected quick or paper)"),
    };

    /// <summary>The claims file of this scale (claims/zhang2022.json or claims/zhang2022-paper.json, shipped inside the tool).</summary>
    public string ClaimsFileName => Name == "quick" ? "zhang2022.json" : $"zhang2022-{Name}.json";

    /// <summary>The claims of this scale, read from the copy embedded in the tool.</summary>
    public ClaimsFile Claims()
    {
        using var stream = typeof(ReproduceScale).Assembly.GetManifestResourceStream("claims/" + ClaimsFileName)
            ?? throw new InvalidOperationException($"claims/{ClaimsFileName} is not embedded in this build");
        using var reader = new StreamReader(stream);
        return ClaimsFile.Parse(reader.ReadToEnd(), "claims/" + ClaimsFileName);
    }
}
