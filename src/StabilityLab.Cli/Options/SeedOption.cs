using System.CommandLine;

namespace StabilityLab.Cli.Options;

/// <summary>--seed: the master seed (an unsigned 64-bit integer; the parser rejects anything else).</summary>
public static class SeedOption
{
    public static Option<ulong> Create(string description = "master seed") =>
        new("--seed") { Description = description, DefaultValueFactory = _ => 1UL };
}
