using System.Globalization;
using MathNet.Numerics.Distributions;
using StabilityLab.Fitting;
using StabilityLab.Torch.Training;

namespace StabilityLab.Torch.Claims;

/// <summary>
/// One test of rate-independent-of-depth (docs/claims.md §8) on a quantity of the runs (rate, NTK-predicted rate,
/// λ_min(Θ)) fitted by a line against ln L: its band ±δ (or the floor −δ) on the slope, where
/// δ = margin·(mean at the shallowest depth)/ln(L_deep/L_shallow) — a change by the margin's fraction over the depths.
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
    public static SlopeBand NotFalling(string name, IReadOnlyList<SweepRun> runs, Func<SweepRun, double> value, int shallowest, double margin, double span)
    {
        var (line, delta) = Fit(runs, value, shallowest, margin, span);
        if (line is null) return new SlopeBand(name, null, delta, 1, 1, 0, false);
        double p = SlopeTests.Above(line, -delta);
        // Power at slope 0 of the one-sided test at level 0.05, as for the equivalence tests.
        double power = StudentT.CDF(0, 1, line.Df, delta / Math.Max(line.SlopeSe, 1e-300) - StudentT.InvCDF(0, 1, line.Df, 0.95));
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
        var x = runs.Select(r => Math.Log(r.Depth)).ToArray();
        var y = runs.Select(value).ToArray();
        if (RateFit.Line(x, y) is not { } l || !double.IsFinite(delta) || !(delta > 0)) return (null, delta);
        // RateFit.Line gives the two-sided 95% t-interval with n − 2 degrees of freedom: recover the slope's SE from it.
        double se = (l.Upper - l.Slope) / StudentT.InvCDF(0, 1, x.Length - 2, 0.975);
        if (!(se > 0)) return (null, delta);
        return (new LineFit(l.Slope, l.Lower, l.Upper, 0, se, 1, x.Length), delta);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
