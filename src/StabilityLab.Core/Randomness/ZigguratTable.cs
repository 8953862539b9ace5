namespace StabilityLab.Randomness;

/// <summary>
/// The 128 layers of the ziggurat of <see cref="PhiloxZiggurat"/> (Marsaglia &amp; Tsang, J. Stat. Softw. 5(8), 2000)
/// for f(x) = e^(−x²/2) on x ≥ 0, built once at startup from two constants with <see cref="PortableMath"/> and
/// IEEE-exact operations only, so the tables are the same bits on every CPU.
/// <para>
/// Layer 0 (the base) is the rectangle [0, X₀) × [0, f(R)): x &lt; R is the rectangle under f, the rest stands for
/// the tail beyond R (area <see cref="TailArea"/>) and a sliver of waste. Layer i ≥ 1 is [0, Xᵢ) × [Yᵢ, Yᵢ₊₁),
/// Xᵢ ≥ f⁻¹(Yᵢ) so it covers the curve, and every layer has the same area A = X₀·f(R): Yᵢ₊₁ = Yᵢ + A/Xᵢ, up to
/// Y₁₂₈ ≥ 1 &gt; Y₁₂₇. The widths are rounded up to 24 significant bits (floats; the standard table's widths need all
/// 53): m·Xᵢ·2⁻²⁵ is then exact in double for every |m| &lt; 2²⁵, and the width and the fast-accept threshold are
/// 32-bit tables that 16-lane permutes look up. Rounding a width up keeps the layer a cover of f; the areas stay
/// equal because the heights are computed from the rounded widths.
/// </para>
/// R and the tail area are constants: R, on the 24-bit grid, is the largest such value whose layers close (the least overshoot of the top layer above y = 1)
/// (found by bisection on this construction), and the tail area is √(π/2)·erfc(R/√2) (tests recompute both).
/// </summary>
internal sealed class ZigguratTable
{
    public const int LayerBits = 7, Layers = 1 << LayerBits;

    /// <summary>A draw's odd integer m = 2⌊s/2^LayerBits⌋ + 1 (s: the word read as a signed 32-bit integer) has |m| &lt; 2^MBits.</summary>
    public const int MBits = 32 - LayerBits;

    private const int WidthLowBits = 29; // zero low bits of a width's double (24 significant bits: a float)

    /// <summary>The right edge of the base rectangle, where the tail begins.</summary>
    public const double R = 3.442619800567627;

    /// <summary>∫_R^∞ e^(−x²/2) dx = √(π/2)·erfc(R/√2).</summary>
    public const double TailArea = 0.0007220450909225024;

    /// <summary>The table of <see cref="R"/> and <see cref="TailArea"/> (built on first use).</summary>
    public static ZigguratTable Instance => Holder.Table;

    private static class Holder
    {
        public static readonly ZigguratTable Table = Build(R, TailArea);
    }

    /// <summary>Per layer, Xᵢ·2⁻²⁵ (a float: the widths have 24 significant bits), so a draw's x = m·Xᵢ·2⁻²⁵ is exact in double.</summary>
    public float[] Width { get; }

    /// <summary>Per layer, Tᵢ: a draw with |m| &lt; Tᵢ lies inside the curve for sure (|m|·Xᵢ·2⁻²⁵ below the curve's x at the layer's top).</summary>
    public int[] Threshold { get; }

    /// <summary><see cref="Width"/> as doubles and <see cref="Threshold"/> as longs, for 8-lane lookups.</summary>
    public double[] WidthAsDouble { get; }

    /// <inheritdoc cref="WidthAsDouble"/>
    public long[] ThresholdAsLong { get; }

    /// <summary>Yᵢ, the bottom of layer i (Y₀ = 0, Y₁ = f(R)), i = 0..128.</summary>
    public double[] Y { get; }

    /// <summary>Yᵢ₊₁ − Yᵢ, the height of layer i (unused for the base).</summary>
    public double[] Height { get; }

    /// <summary>X₀, the base layer's width (R plus the tail and waste share).</summary>
    public double BaseWidth { get; }

    /// <summary>P(tail | base layer, x ≥ R) = TailArea/((X₀ − R)·f(R)); with the other 1 − q the draw lands in the waste and restarts.</summary>
    public double TailOdds { get; }

    /// <summary>The common area A of the layers.</summary>
    public double Area { get; }

    private ZigguratTable(float[] width, int[] threshold, double[] y, double[] height, double baseWidth, double tailOdds, double area)
    {
        Width = width;
        Threshold = threshold;
        WidthAsDouble = width.Select(v => (double)v).ToArray();
        ThresholdAsLong = threshold.Select(v => (long)v).ToArray();
        Y = y;
        Height = height;
        BaseWidth = baseWidth;
        TailOdds = tailOdds;
        Area = area;
    }

    /// <summary>The tables for edge r and tail area; throws <see cref="InvalidOperationException"/> when the layers do not close
    /// (r too small: a layer reaches y = 1 early; too large: Y₁₂₈ &lt; 1).</summary>
    internal static ZigguratTable Build(double r, double tailArea) =>
        TryBuild(r, tailArea, out var t, out var why) ? t! : throw new InvalidOperationException($"ziggurat table for R = {r:R}: {why}");

    /// <summary>
    /// Builds the tables; <paramref name="why"/> says why not (too-small r: "early", too-large r: "short").
    /// Curve positions f⁻¹(y) = √(−2 ln y) are widened by 2⁻⁵⁰ where they bound a layer from outside and narrowed by
    /// 2⁻⁵⁰ where they bound the fast-accept region, which covers the last-bit errors of Log and Sqrt.
    /// </summary>
    internal static bool TryBuild(double r, double tailArea, out ZigguratTable? table, out string why)
    {
        table = null;
        const double Out = 1 + 1.0 / (1L << 50), In = 1 - 1.0 / (1L << 50);
        const double Scale = 1.0 / (1 << MBits);
        if (RoundUp(r) != r) { why = "R is not on the 24-bit grid"; return false; }
        double y1 = PortableMath.Exp(-(r * r) * 0.5);
        double x0 = RoundUp((r * y1 + tailArea) / y1);
        double area = x0 * y1;
        var x = new double[Layers];
        var y = new double[Layers + 1];
        x[0] = x0;
        x[1] = r;
        y[1] = y1;
        for (int i = 1; i < Layers; i++)
        {
            y[i + 1] = y[i] + area / x[i];
            if (i + 1 < Layers)
            {
                if (!(y[i + 1] < 1)) { why = $"early: layer {i + 1} starts at y = {y[i + 1]:R} ≥ 1"; return false; }
                x[i + 1] = RoundUp(Math.Sqrt(-2 * PortableMath.Log(y[i + 1])) * Out);
            }
        }
        if (!(y[Layers] >= 1)) { why = $"short: the top layer ends at y = {y[Layers]:R} < 1"; return false; }

        var width = new float[Layers];
        var threshold = new int[Layers];
        var height = new double[Layers];
        for (int i = 0; i < Layers; i++)
        {
            // The fast-accept edge: the curve's x at the layer's top (the base: R; the top layer: none).
            double edge = i == 0 ? r : i + 1 < Layers ? Math.Sqrt(-2 * PortableMath.Log(y[i + 1])) * In : 0;
            double w = x[i] * Scale; // exact: a power-of-two scaling
            long t = (long)(edge / w);
            while (t > 0 && t * w >= edge) t--;   // t·w is exact (25 × 24 bits)
            while (t * w < edge) t++;             // t = the smallest m with m·w ≥ edge
            width[i] = (float)w;                  // exact: 24 significant bits
            threshold[i] = (int)Math.Min(t, 1L << MBits);
            height[i] = y[i + 1] - y[i];
        }
        double odds = tailArea / ((x0 - r) * y1);
        if (!(odds > 0 && odds <= 1)) { why = $"tail odds {odds:R} outside (0, 1]"; return false; }
        table = new ZigguratTable(width, threshold, y, height, x0, odds, area);
        why = "";
        return true;
    }

    /// <summary>The smallest double ≥ v with 24 significant bits (v &gt; 0; a float when in float's range).</summary>
    internal static double RoundUp(double v)
    {
        const ulong low = (1UL << WidthLowBits) - 1;
        ulong bits = BitConverter.DoubleToUInt64Bits(v);
        if ((bits & low) != 0) bits = (bits | low) + 1; // a carry into the exponent is still right
        return BitConverter.UInt64BitsToDouble(bits);
    }
}
