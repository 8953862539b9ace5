using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace StabilityLab.Randomness;

/// <summary>
/// e^x on the range the ziggurat's wedge test needs (<see cref="ZigguratTable"/>: e^(−x²/2) for |x| below its
/// base width, and the table's own construction): the exponential of fdlibm's e_exp.c already used by
/// <see cref="Tanh(double)"/>, here for −700 ≤ x ≤ 40, where 2^k (k = round(x/ln 2)) is a normal double. The
/// scalar and Vector512 versions perform the same IEEE operations, so they give the same bits on every CPU.
/// </summary>
public static partial class PortableMath
{
    private const double ExpMin = -700.0, ExpMax = 40.0;

    /// <summary>e^x for −700 ≤ x ≤ 40 (outside that range: <see cref="ArgumentOutOfRangeException"/>, NaN included).</summary>
    public static double Exp(double x)
    {
        if (!(x >= ExpMin && x <= ExpMax)) throw new ArgumentOutOfRangeException(nameof(x), x, "PortableMath.Exp takes −700 ≤ x ≤ 40");
        return ExpReduced(x);
    }

    /// <summary>e^x of each lane, the same bits as <see cref="Exp(double)"/>; lanes must lie in [−700, 40] (not checked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Exp(Vector512<double> x) => ExpReduced(x);
}
