using System.Globalization;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;
using StabilityLab.Fitting;
using StabilityLab.Torch.Training;

namespace StabilityLab.Torch.Claims;

/// <summary>
/// One test of rate-independent-of-depth (docs/claims.md §8) on a quantity of the runs (rate, NTK-predicted rate,
/// λ_min(Θ)) fitted by a line against ln L: its band ±δ (or the floor −δ) on the slope, where
/// δ = margin·(mean at the shallowest depth)/ln(L_deep/L_shallow) — a change by the margin's fraction over the depths.
/// The line is fitted within seeds (one intercept per seed, a common slope). δ is itself measured, so the tests are on
/// the contrasts D± = span·slope ∓ margin·μ₀ (μ₀ the mean at the shallowest depth, span = ln(L_deep/L_shallow)):
/// equivalence is D₊ &lt; 0 &lt; D₋. Their SE counts the slope's, the level's (the seed-to-seed spread of the value at the
/// shallowest depth) and their covariance; df by Welch–Satterthwaite. Testing the slope against a fixed δ̂ instead
/// passed 11.8% of the time at a true slope of +δ (α = 5%): a high value at the shallowest depth both lowers the
/// slope and widens δ̂ (docs/statistics.md, "Coverage of every interval").
/// </summary>
public sealed record SlopeBand(string Name, LineFit? Line, double Delta, double P, double POutside, double Power, bool TwoSided)
{
    /// <summary>Two one-sided tests of D₊ &lt; 0 and D₋ &gt; 0 (|slope| &lt; δ with δ measured); outside: D₊ significantly &gt; 0 or D₋ &lt; 0.</summary>
    public static SlopeBand Equivalent(string name, IReadOnlyList<SweepRun> runs, Func<SweepRun, double> value, int shallowest, double margin, double span, double alpha)
    {
        var f = Fit(runs, value, shallowest, margin, span);
        if (f is not { } b) return new SlopeBand(name, null, MeasuredDelta(runs, value, shallowest, margin, span), 1, 1, 0, true);
        var upper = b.Contrast(+1);
        var lower = b.Contrast(-1);
        double pUpper = upper.T.CumulativeDistribution(upper.Z), pLower = 1 - lower.T.CumulativeDistribution(lower.Z);
        double outside = Math.Min(1 - upper.T.CumulativeDistribution(upper.Z), lower.T.CumulativeDistribution(lower.Z));
        return new SlopeBand(name, b.Line, b.Delta, Math.Max(pUpper, pLower), outside, Math.Min(upper.Power(alpha), lower.Power(alpha)), true);
    }

    /// <summary>One-sided test of H₀: D₋ ≤ 0 (slope ≤ −δ: the quantity falls by the margin's fraction or more); outside: D₋ significantly below 0.</summary>
    public static SlopeBand NotFalling(string name, IReadOnlyList<SweepRun> runs, Func<SweepRun, double> value, int shallowest, double margin, double span, double alpha)
    {
        var f = Fit(runs, value, shallowest, margin, span);
        if (f is not { } b) return new SlopeBand(name, null, MeasuredDelta(runs, value, shallowest, margin, span), 1, 1, 0, false);
        var lower = b.Contrast(-1);
        double p = 1 - lower.T.CumulativeDistribution(lower.Z);
        return new SlopeBand(name, b.Line, b.Delta, p, 1 - p, lower.Power(alpha), false);
    }

    /// <summary>"rate: slope 0.0016 [−0.0008, 0.0041], δ = 0.0031, power 0.93".</summary>
    public string Describe() => Line is null
        ? F($"{Name}: no slope")
        : F($"{Name}: slope {Line.Slope:G3} [{Line.SlopeLo:G3}, {Line.SlopeHi:G3}], {(TwoSided ? "δ" : "floor −δ")} = {Delta:G3}, power at 0 {Power:F2}");

    /// <summary>A contrast's statistic D/SE and its t distribution; at slope 0 |D| = margin·|μ₀| (the power's point).</summary>
    private sealed record ContrastTest(double Z, StudentT T, double AtZero)
    {
        /// <summary>The chance of rejecting at slope 0 with this SE, T_df(margin·|μ₀|/SE − t_{1−α}).</summary>
        public double Power(double alpha) => T.CumulativeDistribution(AtZero - T.InverseCumulativeDistribution(1 - alpha));
    }

    /// <summary>The within-seed line and what the contrasts need (see <see cref="Contrast"/>).</summary>
    private sealed record Band(LineFit Line, double Delta, double Span, double Margin, double Level, double LevelVariance, int LevelDf,
        double ResidualVariance, int ResidualDf, double Sxx, double Lever)
    {
        /// <summary>
        /// D = span·b̂ − sign·margin·|μ̂₀| (sign +1: D₊, −1: D₋) over its SE. Var b̂ = σ²/Sxx; Var μ̂₀ = s₀²/k from the seeds'
        /// values at the shallowest depth; Cov(b̂, μ̂₀) = c̄·σ²/Sxx with c̄ the mean over those seeds of (ln L₀ − mean ln L
        /// of the seed), since the seed's level drops out of a within-seed slope (docs/statistics.md).
        /// </summary>
        public ContrastTest Contrast(int sign)
        {
            double m = sign * Margin * Math.Sign(Level);
            double a = (Span * Span - 2 * Span * m * Lever) * ResidualVariance / Sxx, b = m * m * LevelVariance;
            double variance = a + b;
            double se = Math.Sqrt(Math.Max(variance, 0));
            // Welch–Satterthwaite over the two estimated variances (σ² on the residuals, s₀² on the seeds), on their shares
            // of the variance so that it is scale-free: rates near 1e-100 (τ = 1 at its largest stable step, paper scale)
            // would underflow a²/df_a + b²/df_b to 0 and leave df NaN.
            double ra = variance > 0 ? a / variance : 0, rb = variance > 0 ? b / variance : 0;
            double df = 1 / (ra * ra / Math.Max(ResidualDf, 1) + rb * rb / Math.Max(LevelDf, 1));
            if (!double.IsFinite(df) || !(df > 0)) df = ResidualDf;
            var t = new StudentT(0, 1, Math.Max(df, 1));
            // se = 0 (runs that lie exactly on parallel lines, one level) is an exact contrast: the tests treat it as known.
            se = Math.Max(se, 1e-300);
            return new ContrastTest((Span * Line.Slope - m * Level) / se, t, Margin * Math.Abs(Level) / se);
        }
    }

    private static double MeasuredDelta(IReadOnlyList<SweepRun> runs, Func<SweepRun, double> value, int shallowest, double margin, double span) =>
        margin * Math.Abs(runs.Where(r => r.Depth == shallowest).Select(value).DefaultIfEmpty(double.NaN).Average()) / span;

    private static Band? Fit(IReadOnlyList<SweepRun> runs, Func<SweepRun, double> value, int shallowest, double margin, double span)
    {
        double delta = MeasuredDelta(runs, value, shallowest, margin, span);
        if (!double.IsFinite(delta) || !(delta > 0)) return null;
        // Each seed is one data set and one draw of the weights at every depth, so the line is fitted within seeds
        // (a per-seed intercept, one common slope): the seed-to-seed spread of the level does not enter the slope's SE.
        // df = n − (number of seeds) − 1. With a single seed this is the plain line, df = n − 2.
        double sxx = 0, sxy = 0, lever = 0;
        var centered = new List<(double X, double Y)>();
        var groups = runs.GroupBy(r => r.Seed).ToList();
        var levels = new List<double>();
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
            foreach (var r in g.Where(r => r.Depth == shallowest))
            {
                levels.Add(value(r));
                lever += Math.Log(shallowest) - mx;
            }
        }
        int df = runs.Count - groups.Count - 1;
        if (df < 1 || !(sxx > 0)) return null;
        double slope = sxy / sxx;
        double ssr = centered.Sum(c => (c.Y - slope * c.X) * (c.Y - slope * c.X));
        double se = Math.Sqrt(ssr / df / sxx);
        if (!double.IsFinite(se)) return null;
        double q = StudentT.InvCDF(0, 1, df, 0.975);
        int k = levels.Count;
        double level = levels.Average();
        // The level's variance over seeds; with one run at the shallowest depth only the scatter about the line is known.
        (double levelVariance, int levelDf) = k >= 2 ? (levels.Variance() / k, k - 1) : (ssr / df, df);
        // LineFit's Df is Points − 2: Points carries df + 2.
        return new Band(new LineFit(slope, slope - q * se, slope + q * se, 0, se, 1, df + 2), delta, span, margin, level,
            levelVariance, levelDf, ssr / df, df, sxx, lever / k);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
