using StabilityLab.Sweeps;

namespace StabilityLab.Cli.Reproduce;

/// <summary>
/// The sizes of one reproduction. <c>quick</c> finishes in minutes on a 2-core laptop;
/// <c>paper</c> is the paper-scale sweep (width 512, L = 4..4096, 33 values of β, 1000 trials).
/// </summary>
public sealed record ReproduceScale(string Name, int Width, string Depths, int BetaCount, int Trials, int[] TraceDepths)
{
    public static ReproduceScale Quick { get; } = new("quick", 256, "4..4096x4", 17, 500, [64]);
    public static ReproduceScale Paper { get; } = new("paper", 512, "4..4096x2", 33, 1000, [64, 1024]);

    public static ReproduceScale Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "quick" => Quick,
        "paper" => Paper,
        _ => throw new Models.SpecException($"unknown scale '{name}' (expected quick or paper)"),
    };

    /// <summary>
    /// The stability sweep: the post block over depths with τ = L^−β (threshold and heatmap),
    /// τ = 1/√L (stability) and τ = L^(−1/2+c), c = 0.1, 0.2, 0.3 (converse); per-trial scalars
    /// are kept for the bootstrap of τ*(L).
    /// </summary>
    public SweepSpec StabilitySweep(ulong seed) => new()
    {
        Blocks = ["post"],
        Widths = [Width],
        Depths = GridValues.ParseIntegers(Depths, "depth"),
        Taus =
        [
            new TauGridEntry("L^-beta", new Dictionary<string, double[]> { ["beta"] = GridValues.ParseNumbers($"0:1:{BetaCount}", "beta") }),
            new TauGridEntry("1/sqrt(L)"),
            new TauGridEntry("L^(-1/2+c)", new Dictionary<string, double[]> { ["c"] = [0.1, 0.2, 0.3] }),
        ],
        Trials = Trials,
        Seed = seed,
        TraceDepths = TraceDepths,
        Raw = true,
    };
}
