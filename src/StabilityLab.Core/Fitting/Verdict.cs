namespace StabilityLab.Fitting;

/// <summary>
/// What a check concluded. INCONCLUSIVE is a result, not a missing line: the check could not be computed
/// (too few depths, no crossing, unreliable cells) or the data were too few to decide either way.
/// </summary>
public enum VerdictOutcome { Pass, Fail, Inconclusive }

/// <summary>
/// One line of a verdict table: a claim, what the theory predicts, what was measured (with its interval), the
/// test, and its outcome; for INCONCLUSIVE the reason; where the test has one, its raw p-value and the p-value
/// adjusted for the family of checks it belongs to (Holm).
/// </summary>
public sealed record Verdict(string Claim, string Prediction, string Measurement, VerdictOutcome Result, string Test,
    string? Reason = null, double? PValue = null, double? AdjustedPValue = null)
{
    /// <summary>A two-way verdict (no p-value): PASS or FAIL.</summary>
    public Verdict(string claim, string prediction, string measurement, bool pass, string test)
        : this(claim, prediction, measurement, pass ? VerdictOutcome.Pass : VerdictOutcome.Fail, test) { }

    /// <summary>True only for PASS (kept for readers of the two-way verdict).</summary>
    public bool Pass => Result == VerdictOutcome.Pass;

    public string Outcome => Name(Result);

    public static string Name(VerdictOutcome o) => o switch
    {
        VerdictOutcome.Pass => "PASS",
        VerdictOutcome.Fail => "FAIL",
        _ => "INCONCLUSIVE",
    };
}
