using System.Runtime.Intrinsics;

namespace StabilityLab.Randomness;

/// <summary>Which instruction width generates random numbers.</summary>
public enum SimdPath
{
    /// <summary>The widest path the CPU accelerates.</summary>
    Auto,
    Vector512,
    Vector256,
    Scalar,
}

public static class SimdPaths
{
    /// <summary>The path <see cref="SimdPath.Auto"/> resolves to on this CPU.</summary>
    public static SimdPath Best { get; } =
        Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        : SimdPath.Scalar;

    /// <summary>Paths this CPU can run (a vector path needs hardware acceleration to be worth testing).</summary>
    public static IReadOnlyList<SimdPath> Supported { get; } =
        new[] { SimdPath.Vector512, SimdPath.Vector256, SimdPath.Scalar }
            .Where(p => p switch
            {
                SimdPath.Vector512 => Vector512.IsHardwareAccelerated,
                SimdPath.Vector256 => Vector256.IsHardwareAccelerated,
                _ => true,
            }).ToArray();

    public static SimdPath Resolve(this SimdPath p) => p == SimdPath.Auto ? Best : p;
}
