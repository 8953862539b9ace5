using System.Globalization;

namespace StabilityLab.Fitting;

/// <summary>
/// The growth checks of docs/science.md §2 on the slope of log(log E ratio) against log L (<see cref="GrowthFit"/>),
/// shared by `fit` and `verify`: absence of growth for τ = a/√L is shown by an equivalence test, growth for
/// τ = L^(−1/2+c) by a one-sided test; a slope that cannot be fitted is INCONCLUSIVE with its reason.
/// </summary>
public static class GrowthChecks
{
    /// <summary>
    /// The default equivalence margin δ on the slope: for τ = L^(−1/2+c) the slope is 2c, so |slope| &lt; 0.1
    /// rules out growth with c ≥ 0.05, half the smallest converse excess the quick report probes (c = 0.1); docs/statistics.md.
    /// </summary>
    public const double DefaultMargin = 0.1;

    /// <summary>"No growth in L" on the slope of log(log E ratio) against log L (<see cref="Equivalent"/>).</summary>
    public static Check NoGrowth(string claim, LineFit? fit, double margin, int minDepth, double alpha = 0.05) =>
        Equivalent(claim, F($"slope of log(log E ratio) vs log L → 0: |slope| < δ = {margin:G3}"),
            F($"(τ = L^(−1/2+c) gives slope 2c, so this rules out c ≥ {margin / 2:G3})"), fit, margin,
            F($"over L ≥ {minDepth}"), F($"fewer than 3 depths ≥ {minDepth} with a positive log E ratio"), alpha);

    /// <summary>
    /// A slope shown equivalent to 0 (TOST, <see cref="SlopeTests.Tost"/>): PASS when |slope| &lt; δ is shown, FAIL when the
    /// slope is significantly above δ, else INCONCLUSIVE (underpowered); null <paramref name="fit"/> is INCONCLUSIVE with
    /// <paramref name="missing"/>. <paramref name="marginReason"/> says why δ, <paramref name="over"/> which depths were fitted.
    /// </summary>
    public static Check Equivalent(string claim, string prediction, string marginReason, LineFit? fit, double margin,
        string over, string missing, double alpha = 0.05)
    {
        string test = F($"equivalence (two one-sided t-tests): PASS when the slope's 90% interval lies inside (−δ, δ), δ = {margin:G3} ") +
            marginReason + F($"; FAIL when the slope is above δ at level {alpha:G3}; ") +
            "p = the larger one-sided p, Holm-adjusted";
        if (fit is null) return Check.Inconclusive(claim, prediction, test, missing);
        var e = SlopeTests.Tost(fit, margin, alpha);
        string measured = F($"slope {fit.Slope:F4}, 90% [{e.Lo:F4}, {e.Hi:F4}] {over} ({fit.Points} depths); power {e.Power:F2} against slope ±δ");
        return Check.Equivalence(claim, prediction, measured, test, e, e.PGrowth, alpha,
            adj => F($"underpowered: the 90% interval [{e.Lo:F3}, {e.Hi:F3}] is not inside (−{margin:G3}, {margin:G3}) (Holm-adjusted p = {adj:G3}; power {e.Power:F2})"));
    }

    /// <summary>
    /// "τ = L^(−1/2+c) is unbounded": PASS when growth is shown (one-sided t-test of slope ≤ 0, Holm-adjusted) and
    /// |slope − 2c| ≤ tolerance; FAIL when growth is shown at the wrong rate, or when the slope's 95% upper bound lies
    /// below 2c − tolerance; else INCONCLUSIVE.
    /// </summary>
    public static Check Converse(string claim, string prediction, LineFit? fit, double c, double tolerance, int minDepth, double alpha = 0.05)
    {
        string test = F($"growth shown (one-sided t-test of slope ≤ 0, Holm-adjusted p ≤ {alpha:G3}) and |slope − 2c| ≤ {tolerance:G3}; ") +
            F($"FAIL also when the slope's 95% upper bound lies below 2c − {tolerance:G3}");
        if (fit is null) return Check.Inconclusive(claim, prediction, test, F($"fewer than 3 depths ≥ {minDepth} with a positive log E ratio"));
        double p = SlopeTests.Above(fit, 0);
        string measured = F($"slope {fit.Slope:F3} [{fit.SlopeLo:F3}, {fit.SlopeHi:F3}] over L ≥ {minDepth} ({fit.Points} depths)");
        return new Check(claim, prediction, measured, test, p, adj =>
            adj <= alpha ? (Math.Abs(fit.Slope - 2 * c) <= tolerance ? VerdictOutcome.Pass : VerdictOutcome.Fail, null)
            : fit.SlopeHi < 2 * c - tolerance ? (VerdictOutcome.Fail, null)
            : (VerdictOutcome.Inconclusive, F($"growth not shown (Holm-adjusted p = {adj:G3}) yet not excluded")));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
