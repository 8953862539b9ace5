using System.Globalization;
using MathNet.Numerics.Distributions;
using StabilityLab.Fitting;
using StabilityLab.Torch.Training;

namespace StabilityLab.Torch.Claims;

/// <summary>
/// One test of rate-independent-of-depth (docs/claims.md §8) on a quantity of the runs (rate, NTK-predicted rate,
/// λ_min(Θ)) fitted by a line against ln L: its band ±δ (or the floor −δ) on the slope, where
/// δ = margin·(mean at the shallowest depth)/ln(L_deep/L_shallow) — a change by the margin's fraction over the depths.
/// The line is fitted within seeds (one intercept per seed, a common slope).
/// </summary>
public sealed record SlopeBand(string Name, LineFit? Line, double Delta, double P, double POutside, double Power, bool TwoSided)
{
    /// <summary>Two one-sided tests of |slope| &lt; δ (<see cref="SlopeTests.Tost"/>); outside: significantly beyond ±δ.</summary>
    public static SlopeBand Equivalent(string name, IReadOnlyList<SweepRun> runs, Func<SweepRun, double> value, int shallowest, double margin, double span, double alpha)
    {
        var (line, delta) = Fit(runs, value, shallowest, margin, span);
        if (line is null) return new SlopeBand(name, null, delta, 1, 1, 0, true);
        var (e, outside) = SlopeTests.Around(line, 0, delta, alpha);
        return new SlopeBand(name, line, delta, e.P, outside, e.Power, true);
    }

    /// <summary>One-sided test of H₀: slope ≤ −δ (the quantity falls by the margin's fraction or more); outside: significantly below −δ.</summary>
    public static SlopeBand NotFalling(string name, IReadOnlyList<SweepRun> runs, Func<SweepRun, double> value, int shallowest, double margin, double span, double alpha)
    {
        var (line, delta) = Fit(runs, value, shallowest, margin, span);
        if (line is null) return new SlopeBand(name, null, delta, 1, 1, 0, false);
        double p = SlopeTests.Above(line, -delta);
        // Power at slope 0 of the one-sided test at level α, as for the equivalence tests.
        double power = StudentT.CDF(0, 1, line.Df, delta / Math.Max(line.SlopeSe, 1e-300) - StudentT.InvCDF(0, 1, line.Df, 1 - alpha));
        return new SlopeBand(name, line, delta, p, 1 - p, power, false);
    }

    /// <summary>"rate: slope 0.0016 [−0.0008, 0.0041], δ = 0.0031, power 0.93".</summary>
    public string Describe() => Line is null
        ? F($"{Name}: no slope")
        : F($"{Name}: slope {Line.Slope:G3} [{Line.SlopeLo:G3}, {Line.SlopeHi:G3}], {(TwoSided ? "δ" : "floor −δ")} = {Delta:G3}, power at 0 {Power:F2}");

    private static (LineFit? Line, double Delta) Fit(IReadOnlyList<SweepRun> runs, Func<SweepRun, double> value, int shallowest, double margin, double span)
    {
        double mean0 = runs.Where(r => r.Depth == shallowest).Select(value).DefaultIfEmpty(double.NaN).Average();
        double delta = margin * Math.Abs(mean0) / span;
        if (!double.IsFinite(delta) || !(delta > 0)) return (null, delta);
        // Each seed is one data set and one draw of the weights at every depth, so the line is fitted within seeds
        // (a per-seed intercept, one common slope): the seed-to-seed spread of the level does not enter the slope's SE.
        // df = n − (number of seeds) − 1. With a single seed this is the plain line, df = n − 2.
        double sxx = 0, sxy = 0;
        var centered = new List<(double X, double Y)>();
        var groups = runs.GroupBy(r => r.Seed).ToList();
        foreach (var g in groups)
        {
            var x = g.Select(r => Math.Log(r.Depth)).ToArray();
            var y = g.Select(value).ToArray();
            double mx = x.Average(), my = y.Average();
            for (int i = 0; i < x.Length; i++)
            {
                centered.Add((x[i] - mx, y[i] - my));
                sxx += (x[i] - mx) * (x[i] - mx);
                sxy += (x[i] - mx) * (y[i] - my);
            }
        }
        int df = runs.Count - groups.Count - 1;
        if (df < 1 || !(sxx > 0)) return (null, delta);
        double slope = sxy / sxx;
        double ssr = centered.Sum(c => (c.Y - slope * c.X) * (c.Y - slope * c.X));
        double se = Math.Sqrt(ssr / df / sxx);
        // se = 0 (runs that lie exactly on parallel lines) is an exact slope: the tests treat it as known.
        if (!double.IsFinite(se)) return (null, delta);
        double q = StudentT.InvCDF(0, 1, df, 0.975);
        // LineFit's Df is Points − 2: Points carries df + 2.
        return (new LineFit(slope, slope - q * se, slope + q * se, 0, se, 1, df + 2), delta);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
