using System.CommandLine;
using StabilityLab.Sweeps;

namespace StabilityLab.Cli.Options;

/// <summary>
/// --max-memory-mib: the memory a sampling run may plan with when it is less than the machine's available memory
/// (a batch job's allotment, a machine shared with others). The plan then checkpoints or refuses as it would on a
/// smaller machine (<see cref="SweepResources"/>; `train` and `spectrum` refuse).
/// </summary>
public static class MaxMemoryOption
{
    public const string Checkpoints = "a run that would not fit stored checkpoints its forward pass";

    public const string Refuses = "a run that would not fit is refused before it starts";

    /// <param name="consequence">what happens to a run that would not fit (<see cref="Checkpoints"/>, <see cref="Refuses"/>)</param>
    public static Option<int?> Create(string consequence = Checkpoints) =>
        new Option<int?>("--max-memory-mib") { Description = $"plan with at most this much memory in MiB (default: the machine's available memory); {consequence}" }
            .Check(v => v is null or >= 1 ? null : $"must be at least 1 (got {v})");

    /// <summary>The memory to plan with: the option's value when it is less than the machine's available memory (null: not given).</summary>
    public static long? Resolve(int? mib) => mib is int m ? Math.Min(m * (1L << 20), SweepResources.AvailableMemory()) : null;
}
