using StabilityLab.Models;

namespace StabilityLab.Randomness;

/// <summary>
/// Which counter-based generator and normal transform a stream uses (docs/architecture.md, "Randomness").
/// PhiloxZiggurat is the default of new runs (about 3× the normals per second of the Box–Muller paths); Philox
/// (Box–Muller) was the default before it and Threefry before that: both stay, so that directories written with
/// them resume with the numbers they began with. The Philox generators give the same bits on every CPU.
/// </summary>
public enum RandomGenerator
{
    /// <summary>Threefry-2x64-20 with Math/vector-library Box–Muller (last bits may differ between CPUs).</summary>
    Threefry,

    /// <summary>Philox-4x32-10 with Box–Muller on this project's own log and sin/cos (<see cref="PortableMath"/>).</summary>
    Philox,

    /// <summary>Philox-4x32-10 through a 64-layer ziggurat, one 32-bit word per normal (<see cref="PhiloxZiggurat"/>).</summary>
    PhiloxZiggurat,
}

public static class RandomGenerators
{
    /// <summary>The generator of new runs.</summary>
    public const RandomGenerator Default = RandomGenerator.PhiloxZiggurat;

    /// <summary>The generator a manifest that names none was written with (every one before the field existed).</summary>
    public const RandomGenerator Legacy = RandomGenerator.Threefry;

    public static string Name(this RandomGenerator g) => g switch
    {
        RandomGenerator.PhiloxZiggurat => "philox-zig",
        RandomGenerator.Philox => "philox",
        RandomGenerator.Threefry => "threefry",
        _ => throw new ArgumentOutOfRangeException(nameof(g)),
    };

    public static IReadOnlyList<string> Names { get; } = ["philox-zig", "philox", "threefry"];

    /// <summary>The names as a sentence: "philox-zig, philox or threefry".</summary>
    public static string Choices => string.Join(", ", Names.Take(Names.Count - 1)) + " or " + Names[^1];

    /// <summary>Parses a generator name; an unknown one throws <see cref="SpecException"/>.</summary>
    public static RandomGenerator Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "philox-zig" => RandomGenerator.PhiloxZiggurat,
        "philox" => RandomGenerator.Philox,
        "threefry" => RandomGenerator.Threefry,
        _ => throw new SpecException($"unknown generator '{name}' (choose {Choices})"),
    };
}
