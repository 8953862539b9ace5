using System.Globalization;
using StabilityLab.Models;

namespace StabilityLab.Sweeps;

/// <summary>
/// What a run will hold in memory at its peak, estimated before any work starts, with the figures behind it and what
/// the user can lower; <see cref="Check"/> refuses it with one line when it does not fit this machine (docs/bad-input.md,
/// "sizes"). Sweeps and `sample` (<see cref="SweepResources"/>), `train` and `spectrum` state theirs this way.
/// </summary>
/// <param name="Bytes">The estimated peak.</param>
/// <param name="Breakdown">The figures behind it, e.g. "3 × 64 MiB weights (m = 4096, L = 1)".</param>
/// <param name="Remedy">What to lower, e.g. "lower --width or --depth".</param>
public sealed record MemoryNeed(long Bytes, string Breakdown, string Remedy)
{
    /// <summary>The share of the available memory a run may plan to use.</summary>
    public const double MemoryShare = 0.8;

    /// <summary>Throws <see cref="SpecException"/> when the need exceeds <see cref="MemoryShare"/> of the available memory
    /// (<paramref name="availableMemory"/>, else <see cref="SweepResources.AvailableMemory"/>).</summary>
    public void Check(long? availableMemory = null)
    {
        long mem = availableMemory ?? SweepResources.AvailableMemory();
        if (Bytes > mem * MemoryShare)
            throw new SpecException(string.Create(CultureInfo.InvariantCulture,
                $"this run needs ≈ {SweepResources.Size(Bytes)} of memory ({Breakdown}); {SweepResources.Size(mem)} is available: {Remedy}"));
    }

    /// <summary>Σ parts, saturating at <see cref="long.MaxValue"/> like <see cref="Times"/>.</summary>
    public static long Sum(params long[] parts)
    {
        double s = 0;
        foreach (long x in parts) s += x;
        return s >= long.MaxValue ? long.MaxValue : (long)s;
    }

    /// <summary>a·b, saturating at <see cref="long.MaxValue"/> (sizes the machine cannot hold must not wrap around).</summary>
    public static long Times(params long[] factors)
    {
        double p = 1;
        foreach (long f in factors) p *= f;
        return p >= long.MaxValue ? long.MaxValue : (long)p;
    }
}
