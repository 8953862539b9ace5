namespace StabilityLab.Randomness;

/// <summary>
/// A counter-based random stream: a pure function of (master seed, cell, trial). Draw k of a
/// stream is Threefry(counter = (k, domain), key = (seed, cell·2³² + trial)), so results do not
/// depend on thread count, shard split or resume order. A domain separates independent uses
/// inside one trial (layer, purpose). The generator says which bits and normal transform the
/// stream gives (Threefry above; Philox: <see cref="PhiloxNormals"/>, <see cref="PhiloxZiggurat"/>); streams default to Threefry,
/// and the sampler's runs name theirs (<see cref="RandomGenerators.Default"/> for new ones).
/// </summary>
public readonly record struct RandomStream(ulong Seed, ulong Key, RandomGenerator Generator = RandomGenerator.Threefry)
{
    /// <summary>The stream of one trial of one cell.</summary>
    public static RandomStream For(ulong seed, uint cell, uint trial, RandomGenerator generator = RandomGenerator.Threefry) =>
        new(seed, ((ulong)cell << 32) | trial, generator);

    /// <summary>A domain id for (layer, purpose): layers up to 2⁵⁶, purposes up to 256.</summary>
    public static ulong Domain(long layer, byte purpose) => ((ulong)layer << 8) | purpose;
}
