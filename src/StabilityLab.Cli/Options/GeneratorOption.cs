using System.CommandLine;
using StabilityLab.Randomness;

namespace StabilityLab.Cli.Options;

/// <summary>--generator: the exact sampler's random generator (philox-zig, the default; philox and threefry, those of runs before it).</summary>
public static class GeneratorOption
{
    public static Option<string> Create() =>
        new Option<string>("--generator")
        {
            Description = "random generator of the exact sampler: philox-zig (Philox ziggurat, the default), philox (Philox Box–Muller, runs made before philox-zig; both the same bits on every CPU) or threefry (runs made before philox)",
            DefaultValueFactory = _ => RandomGenerators.Default.Name(),
        }.Check(v => RandomGenerators.Names.Contains(v.Trim().ToLowerInvariant()) ? null : $"must be {RandomGenerators.Choices} (got '{v}')");
}
