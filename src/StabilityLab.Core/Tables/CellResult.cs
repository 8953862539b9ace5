using StabilityLab.Models;
using StabilityLab.Statistics;

namespace StabilityLab.Tables;

/// <summary>One cell of a grid: a network spec at one τ, how it was sampled, and its statistics.</summary>
public sealed record CellResult(NetworkSpec Spec, string Sampler, ulong Seed, int TrialsRun, CellStatistics Stats)
{
    /// <summary>τ of the cell: the value at layer 1 (equal at every layer unless the rule is per-layer).</summary>
    public double Tau => Spec.Tau.Evaluate(Spec.Depth, 1);
}
