using System.CommandLine;
using StabilityLab.Randomness;

namespace StabilityLab.Cli.Options;

/// <summary>--generator: the exact sampler's random generator (philox, the default, or threefry, that of runs before it).</summary>
public static class GeneratorOption
{
    public static Option<string> Create() =>
        new Option<string>("--generator")
        {
            Description = "random generator of the exact sampler: philox (same bits on every CPU) or threefry (runs made before philox)",
            DefaultValueFactory = _ => RandomGenerators.Default.Name(),
        }.Check(v => RandomGenerators.Names.Contains(v.Trim().ToLowerInvariant()) ? null : $"must be {string.Join(" or ", RandomGenerators.Names)} (got '{v}')");
}
