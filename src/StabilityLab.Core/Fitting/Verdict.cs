namespace StabilityLab.Fitting;

/// <summary>One line of a verdict table: a claim, what the theory predicts, what was measured (with its interval), and whether they agree.</summary>
public sealed record Verdict(string Claim, string Prediction, string Measurement, bool Pass, string Test)
{
    public string Outcome => Pass ? "PASS" : "FAIL";
}
