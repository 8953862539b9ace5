using MathNet.Numerics.Integration;

namespace StabilityLab.Theory;

/// <summary>
/// E ω² for the cosine ω between the forward vector h_l and a tangent vector t_l = J_l⋯J_1 t_0 carried through the same
/// layers from an independent uniform direction t_0 (docs/finite-width.md §10, "Cov(F_L, B_L)"). To first order in 1/m,
/// in the time s = Σ_l d_l (d_l the part of a layer's log-factor variance that is not shared by orthogonal directions),
/// y = artanh ω is the diffusion dy = ¼ tanh(y) ds + dB/√2, started at ω_0 ~ N(0, 1/m) (E ω_0² = 1/m exactly).
/// Small s: y is Gaussian (linearized drift), variance σ²(s) = σ_0² e^{s/2} + e^{s/2} − 1; beyond <see cref="GaussianUpTo"/>
/// its density on y ≥ 0 (symmetric) is advanced by Crank–Nicolson finite volumes (zero flux at both ends, mass exact).
/// Deterministic; cost O(grid points × steps), independent of L (plus O(L) interpolation).
/// </summary>
internal static class TangentAlignment
{
    /// <summary>Up to this s the Gaussian (linearized) law is used: there tanh y − y is ≤ 1% of y over ±4 sd.</summary>
    internal const double GaussianUpTo = 0.05;

    internal const double Step = 0.025;

    private static readonly GaussLegendreRule Rule = new(-8, 8, 64);
    private static readonly double[] Nodes = Rule.Abscissas;
    private static readonly double[] Weights = Rule.Weights.Select((w, i) => w * StdNormal.Pdf(Rule.Abscissas[i])).ToArray();

    /// <summary>E ω² at each of the nondecreasing times <paramref name="s"/> (s ≥ 0), for E ω_0² = <paramref name="initialVariance"/> (ω_0 ≈ Gaussian).</summary>
    public static double[] MeanSquaredCosine(IReadOnlyList<double> s, double initialVariance)
    {
        int n = s.Count;
        var result = new double[n];
        if (n == 0) return result;
        double sMax = s[n - 1];
        // y_0 = artanh ω_0 with E ω_0² = v: E tanh² y = σ² − 2σ⁴ + O(σ⁶) for y ~ N(0, σ²), so σ_0² = v + 2v².
        initialVariance += 2 * initialVariance * initialVariance;
        // Tabulate E ω² on a time grid, then interpolate linearly at every s (E ω² is smooth in s).
        var times = new List<double>();
        var values = new List<double>();
        double sGauss = Math.Min(sMax, GaussianUpTo);
        const int gaussPoints = 64;
        for (int k = 0; k <= gaussPoints; k++)
        {
            double t = sGauss * k / gaussPoints;
            times.Add(t);
            values.Add(GaussianMean(GaussianVariance(t, initialVariance)));
        }
        if (sMax > GaussianUpTo) Evolve(GaussianUpTo, sMax, GaussianVariance(GaussianUpTo, initialVariance), times, values);
        int j = 0;
        for (int i = 0; i < n; i++)
        {
            double t = s[i];
            while (j + 1 < times.Count - 1 && times[j + 1] < t) j++;
            if (times.Count == 1 || t <= times[0]) { result[i] = values[0]; continue; }
            double t0 = times[j], t1 = times[j + 1];
            double f = t1 > t0 ? Math.Clamp((t - t0) / (t1 - t0), 0, 1) : 1;
            result[i] = values[j] + f * (values[j + 1] - values[j]);
        }
        return result;
    }

    /// <summary>Var y at time s under dy = (y/4)ds + dB/√2 (the drift linearized at y = 0).</summary>
    internal static double GaussianVariance(double s, double initialVariance)
    {
        double e = Math.Exp(s / 2);
        return initialVariance * e + e - 1;
    }

    /// <summary>E tanh²(y), y ~ N(0, v).</summary>
    private static double GaussianMean(double v)
    {
        double sd = Math.Sqrt(v), sum = 0;
        for (int i = 0; i < Nodes.Length; i++)
        {
            double t = Math.Tanh(sd * Nodes[i]);
            sum += Weights[i] * t * t;
        }
        return sum;
    }

    /// <summary>
    /// Crank–Nicolson on cells y_i = (i + ½)h of [0, Y]: ∂ρ/∂s = −∂J/∂y, J = ¼ tanh(y)ρ − ¼ ∂ρ/∂y, J = 0 at 0 (symmetry)
    /// and at Y (beyond 6 sd of the spread plus the drift's reach s/4). Appends (s, E tanh² y) after every step.
    /// </summary>
    private static void Evolve(double s0, double s1, double v0, List<double> times, List<double> values)
    {
        double h = Step;
        double reach = 3 + s1 / 4 + 6 * Math.Sqrt(v0 + s1 / 2);
        int n = (int)Math.Ceiling(reach / h);
        var rho = new double[n];
        var p = new double[n];
        double mass = 0;
        for (int i = 0; i < n; i++)
        {
            double y = (i + 0.5) * h;
            rho[i] = Math.Exp(-0.5 * y * y / v0);
            mass += rho[i] * h;
            double t = Math.Tanh(y);
            p[i] = t * t;
        }
        for (int i = 0; i < n; i++) rho[i] /= mass;
        // Face i+½ (between cells i and i+1): J = a_f (ρ_i + ρ_{i+1})/2 − D (ρ_{i+1} − ρ_i)/h, a_f = ¼ tanh(y_f), D = ¼.
        // dρ_i/ds = (J_{i−½} − J_{i+½})/h = lo_i ρ_{i−1} + di_i ρ_i + up_i ρ_{i+1}.
        var lo = new double[n];
        var di = new double[n];
        var up = new double[n];
        const double d = 0.25;
        for (int i = 0; i < n; i++)
        {
            if (i + 1 < n)
            {
                double a = 0.25 * Math.Tanh((i + 1) * h);
                // −J_{i+½}/h: coefficient of ρ_i and ρ_{i+1}.
                di[i] += (-a / 2 - d / h) / h;
                up[i] += (-a / 2 + d / h) / h;
            }
            if (i > 0)
            {
                double a = 0.25 * Math.Tanh(i * h);
                // +J_{i−½}/h.
                lo[i] += (a / 2 + d / h) / h;
                di[i] += (a / 2 - d / h) / h;
            }
        }
        var rhs = new double[n];
        var cp = new double[n];
        double s = s0;
        while (s < s1)
        {
            // Steps grow as the law smooths; Crank–Nicolson is stable for any step, accurate to O(dt²).
            double dt = Math.Min(0.005 + 0.02 * (s - s0), 0.05);
            if (s + dt > s1) dt = s1 - s;
            double half = dt / 2;
            for (int i = 0; i < n; i++)
                rhs[i] = rho[i] + half * (di[i] * rho[i] + (i > 0 ? lo[i] * rho[i - 1] : 0) + (i + 1 < n ? up[i] * rho[i + 1] : 0));
            // Thomas algorithm for (I − half·A) ρ = rhs.
            double b0 = 1 - half * di[0];
            cp[0] = -half * up[0] / b0;
            rho[0] = rhs[0] / b0;
            for (int i = 1; i < n; i++)
            {
                double a = -half * lo[i], b = 1 - half * di[i] - a * cp[i - 1];
                cp[i] = -half * up[i] / b;
                rho[i] = (rhs[i] - a * rho[i - 1]) / b;
            }
            for (int i = n - 2; i >= 0; i--) rho[i] -= cp[i] * rho[i + 1];
            s += dt;
            double e = 0;
            for (int i = 0; i < n; i++) e += rho[i] * p[i];
            times.Add(s);
            values.Add(e * h);
        }
    }
}
