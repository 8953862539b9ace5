namespace StabilityLab.Fitting;

/// <summary>
/// A check before its family is known: the claim and the measurement, the raw p-value of its test (null when it
/// has none, or when it could not be computed), and how its outcome follows from the family-adjusted p-value.
/// </summary>
public sealed record Check(string Claim, string Prediction, string Measurement, string Test, double? PValue,
    Func<double, (VerdictOutcome Outcome, string? Reason)> Decide)
{
    /// <summary>A check that could not be computed: INCONCLUSIVE with its reason, never left out.</summary>
    public static Check Inconclusive(string claim, string prediction, string test, string reason) =>
        new(claim, prediction, "not computed", test, null, _ => (VerdictOutcome.Inconclusive, reason));
}
