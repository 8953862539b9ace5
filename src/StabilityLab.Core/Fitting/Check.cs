namespace StabilityLab.Fitting;

/// <summary>
/// A check before its family is known: the claim and the measurement, the raw p-value of its test (null when it
/// has none, or when it could not be computed), and how its outcome follows from the family-adjusted p-value.
/// </summary>
public sealed record Check(string Claim, string Prediction, string Measurement, string Test, double? PValue,
    Func<double, (VerdictOutcome Outcome, string? Reason)> Decide)
{
    /// <summary>
    /// An equivalence check (<see cref="SlopeTests.Around"/>): PASS when the Holm-adjusted TOST p is ≤ α, FAIL when the
    /// slope is significantly outside the band (<paramref name="pOutside"/> ≤ α), else INCONCLUSIVE with
    /// <paramref name="underpowered"/> (given the adjusted p).
    /// </summary>
    public static Check Equivalence(string claim, string prediction, string measurement, string test, Equivalence e, double pOutside,
        double alpha, Func<double, string> underpowered) =>
        new(claim, prediction, measurement, test, e.P, adj =>
            adj <= alpha ? (VerdictOutcome.Pass, null)
            : pOutside <= alpha ? (VerdictOutcome.Fail, null)
            : (VerdictOutcome.Inconclusive, underpowered(adj)));

    /// <summary>A check that could not be computed: INCONCLUSIVE with its reason, never left out.</summary>
    public static Check Inconclusive(string claim, string prediction, string test, string reason) =>
        new(claim, prediction, "not computed", test, null, _ => (VerdictOutcome.Inconclusive, reason));
}
