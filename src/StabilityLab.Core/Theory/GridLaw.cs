using System.Buffers;
using System.Numerics.Tensors;

namespace StabilityLab.Theory;

/// <summary>
/// A law on ℝ discretized for density evolution (docs/science.md §3): an atom of mass <see cref="Atom"/>
/// at 0 plus a density f sampled at x_k = k·h for k = KLo..KLo+n−1. When <see cref="JumpAtLeft"/>,
/// f is supported on [x_KLo, ∞) with f(x_KLo+) ≠ 0 (the ReLU boundary) and integrals use Gregory's
/// end correction there; otherwise f vanishes at both ends and the trapezoid rule is spectrally accurate.
/// With a <see cref="Layout"/> the points are those of a two-scale grid (KLo = 0): fine near the jump, every
/// Layout.Step-th lattice point beyond, integrals by its partition of unity (<see cref="TwoScaleLayout"/>).
/// </summary>
internal sealed class GridLaw
{
    public GridLaw(double atom, double[] density, int kLo, double spacing, bool jumpAtLeft)
    {
        Atom = atom;
        Density = density;
        KLo = kLo;
        Spacing = spacing;
        JumpAtLeft = jumpAtLeft;
    }

    /// <summary>A law on the points of a two-scale layout (post block: jump at 0).</summary>
    public GridLaw(double atom, double[] density, TwoScaleLayout layout, double spacing) : this(atom, density, 0, spacing, jumpAtLeft: true)
    {
        if (density.Length != layout.Count) throw new ArgumentException("density and layout differ in length");
        Layout = layout;
    }

    /// <summary>The two-scale point set, or null for the uniform grid k = KLo..KLo+n−1.</summary>
    public TwoScaleLayout? Layout { get; }

    public double Atom { get; }
    public double[] Density { get; }
    public int KLo { get; }
    public double Spacing { get; }
    public bool JumpAtLeft { get; }
    public int Count => Density.Length;

    public double X(int i) => Layout is { } t ? t.Lattice(i) * Spacing : (KLo + i) * Spacing;

    /// <summary>Quadrature weight of point i in units of h (Gregory's at the jump, the partition's on a two-scale grid).</summary>
    public double WeightFactor(int i)
    {
        if (Layout is { } t) return t.WeightFactor(i);
        var w = GregoryWeights.Left;
        return JumpAtLeft && i < w.Length ? w[i] : 1;
    }

    /// <summary>Y_0 = (√2 ζ)_+: atom 1/2 at 0, density ϕ(x/√2)/√2 on (0, range].</summary>
    public static GridLaw ReluOfGaussian(double spacing, double range)
    {
        int n = (int)Math.Floor(range / spacing) + 1;
        var f = new double[n];
        for (int i = 0; i < n; i++) f[i] = StdNormal.Pdf(i * spacing / Math.Sqrt(2)) / Math.Sqrt(2);
        return new GridLaw(0.5, f, 0, spacing, jumpAtLeft: true);
    }

    /// <summary><see cref="ReluOfGaussian(double, double)"/> on a two-scale grid with the given coarse step and partition scale.</summary>
    public static GridLaw ReluOfGaussian(double spacing, double range, int step, double scale)
    {
        var layout = TwoScaleLayout.Covering(step, scale, (int)Math.Floor(range / spacing));
        var f = NewDensity(layout.Count);
        for (int i = 0; i < f.Length; i++) f[i] = StdNormal.Pdf(layout.Lattice(i) * spacing / Math.Sqrt(2)) / Math.Sqrt(2);
        return new GridLaw(0.5, f, layout, spacing);
    }

    /// <summary>a_i = h·w_i·f_i, so that Σ a_i g(x_i) ≈ ∫ f g for smooth g.</summary>
    public double[] Weighted()
    {
        var a = new double[Count];
        WeightedInto(a);
        return a;
    }

    /// <summary><see cref="Weighted"/> into a pooled array (length ≥ Count; give it back with <see cref="Return"/>).</summary>
    public double[] RentWeighted()
    {
        var a = ArrayPool<double>.Shared.Rent(Count);
        WeightedInto(a.AsSpan(0, Count));
        return a;
    }

    /// <summary>
    /// A zeroed array for a law (or a per-layer function) that lives as long as the whole evolution: on the pinned heap,
    /// which the GC never copies, so thousands of layers kept alive do not get promoted generation by generation.
    /// </summary>
    public static double[] NewDensity(int n) => GC.AllocateArray<double>(n, pinned: true);

    public static void Return(double[] pooled) => ArrayPool<double>.Shared.Return(pooled);

    public void WeightedInto(Span<double> a)
    {
        TensorPrimitives.Multiply(Density, Spacing, a);
        if (Layout is { } t)
        {
            t.ScaleByFactors(null, a, a);
            return;
        }
        if (JumpAtLeft)
        {
            var w = GregoryWeights.Left;
            for (int i = 0; i < Math.Min(Count, w.Length); i++) a[i] *= w[i];
        }
    }

    /// <summary>Σ_i a_i v_i + Atom·atomValue (the law's quadrature of v, atom first), without allocating.</summary>
    public double Integrate(double atomValue, ReadOnlySpan<double> values)
    {
        var w = GregoryWeights.Left;
        double s = Atom * atomValue;
        if (Layout is { } t) return t.WeightedSum(s, Density, Spacing, values);
        for (int i = 0; i < Count; i++)
        {
            double a = Density[i] * Spacing;
            if (JumpAtLeft && i < w.Length) a *= w[i];
            s += a * values[i];
        }
        return s;
    }

    /// <summary>Σ_i a_i f_i g_i (no atom term), without allocating.</summary>
    public double Integrate(ReadOnlySpan<double> f, ReadOnlySpan<double> g)
    {
        var w = GregoryWeights.Left;
        double s = 0;
        if (Layout is { } t)
        {
            for (int i = 0; i < Count; i++) s += Density[i] * Spacing * t.WeightFactor(i) * f[i] * g[i];
            return s;
        }
        for (int i = 0; i < Count; i++)
        {
            double a = Density[i] * Spacing;
            if (JumpAtLeft && i < w.Length) a *= w[i];
            s += a * f[i] * g[i];
        }
        return s;
    }

    /// <summary>Total mass, E[X²] and E[X_+²] of the discretized law.</summary>
    public (double Mass, double SecondMoment, double PositiveSecondMoment) Moments()
    {
        var a = Weighted();
        double mass = Atom, m2 = 0, m2p = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = X(i);
            double v = a[i] * x * x;
            mass += a[i];
            m2 += v;
            if (x > 0) m2p += v;
        }
        return (mass, m2, m2p);
    }

    /// <summary>The same law on spacing h' over the same support, by 6-point Lagrange interpolation.</summary>
    public GridLaw Resample(double spacing)
    {
        if (Layout is { } t) return ResampleTwoScale(t, spacing);
        int n = Count;
        if (n < 6) throw new InvalidOperationException("a grid law needs at least 6 points to resample");
        double xFirst = X(0), xLast = X(n - 1);
        int kLo = (int)Math.Ceiling(xFirst / spacing - 1e-9);
        int kHi = (int)Math.Floor(xLast / spacing + 1e-9);
        var f = NewDensity(kHi - kLo + 1);
        Span<double> w = stackalloc double[6];
        for (int k = kLo; k <= kHi; k++)
        {
            double u = k * spacing / Spacing - KLo; // fractional index in the old grid
            int i0 = Math.Clamp((int)Math.Floor(u) - 2, 0, n - 6);
            for (int p = 0; p < 6; p++)
            {
                double c = 1;
                for (int q = 0; q < 6; q++)
                    if (q != p) c *= (u - (i0 + q)) / (p - q);
                w[p] = c;
            }
            double s = 0;
            for (int p = 0; p < 6; p++) s += w[p] * Density[i0 + p];
            f[k - kLo] = s;
        }
        return new GridLaw(Atom, f, kLo, spacing, JumpAtLeft);
    }

    /// <summary>
    /// <see cref="Resample"/> on a two-scale grid: the new layout over the same support, each new point interpolated
    /// (6-point Lagrange) from the old fine part where it lies inside it, else from the old coarse part (10 points).
    /// </summary>
    private GridLaw ResampleTwoScale(TwoScaleLayout t, double spacing)
    {
        var layout = TwoScaleLayout.Covering(t.Step, t.Scale, (int)Math.Floor(X(Count - 1) / spacing + 1e-9));
        var f = NewDensity(layout.Count);
        var fine = Density.AsSpan(0, t.FineCount);
        var coarse = Density.AsSpan(t.FineCount);
        for (int i = 0; i < f.Length; i++)
        {
            double x = layout.Lattice(i) * spacing;
            double u = x / Spacing; // fractional lattice index in the old grid
            f[i] = u <= t.FineCount - 4 ? Lagrange(fine, u, 6) : Lagrange(coarse, (u - t.CoarseFrom) / t.Step, CoarseStencil);
        }
        return new GridLaw(Atom, f, layout, spacing);
    }

    /// <summary>
    /// Lagrange interpolation of equally spaced values v at the fractional index u through the <paramref name="points"/>
    /// nearest (stencil clamped to the ends).
    /// </summary>
    internal static double Lagrange(ReadOnlySpan<double> v, double u, int points)
    {
        int i0 = Math.Clamp((int)Math.Floor(u) - (points - 1) / 2, 0, v.Length - points);
        double s = 0;
        for (int p = 0; p < points; p++)
        {
            double c = 1;
            for (int q = 0; q < points; q++)
                if (q != p) c *= (u - (i0 + q)) / (p - q);
            s += c * v[i0 + p];
        }
        return s;
    }

    /// <summary>Stencil of the coarse part's interpolation: Step·h may be σ, so a wider stencil than the fine part's 6 points.</summary>
    internal const int CoarseStencil = 10;
}
