using System.Buffers;
using System.Numerics.Tensors;

namespace StabilityLab.Theory;

/// <summary>
/// A law on ℝ discretized for density evolution (docs/science.md §3): an atom of mass <see cref="Atom"/>
/// at 0 plus a density f sampled at x_k = k·h for k = KLo..KLo+n−1. When <see cref="JumpAtLeft"/>,
/// f is supported on [x_KLo, ∞) with f(x_KLo+) ≠ 0 (the ReLU boundary) and integrals use Gregory's
/// end correction there; otherwise f vanishes at both ends and the trapezoid rule is spectrally accurate.
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

    public double Atom { get; }
    public double[] Density { get; }
    public int KLo { get; }
    public double Spacing { get; }
    public bool JumpAtLeft { get; }
    public int Count => Density.Length;

    public double X(int i) => (KLo + i) * Spacing;

    /// <summary>Y_0 = (√2 ζ)_+: atom 1/2 at 0, density ϕ(x/√2)/√2 on (0, range].</summary>
    public static GridLaw ReluOfGaussian(double spacing, double range)
    {
        int n = (int)Math.Floor(range / spacing) + 1;
        var f = new double[n];
        for (int i = 0; i < n; i++) f[i] = StdNormal.Pdf(i * spacing / Math.Sqrt(2)) / Math.Sqrt(2);
        return new GridLaw(0.5, f, 0, spacing, jumpAtLeft: true);
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
}
