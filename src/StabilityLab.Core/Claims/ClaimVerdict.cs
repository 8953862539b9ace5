using StabilityLab.Fitting;

namespace StabilityLab.Claims;

/// <summary>A control's verdict: the overrides, and what the claim's test concluded under them (it must be FAIL).</summary>
public sealed record ControlVerdict(ClaimControl Control, Verdict Verdict)
{
    /// <summary>The control did its job: the test, run where the claim must not hold, said FAIL.</summary>
    public bool FailedAsItMust => Verdict.Result == VerdictOutcome.Fail;
}

/// <summary>A claim's verdict, its controls' verdicts, and the study directories (relative to the output) it used.</summary>
public sealed record ClaimVerdict(Claim Claim, Verdict Verdict, IReadOnlyList<ControlVerdict> Controls, IReadOnlyList<string> Studies);

/// <summary>
/// Every claim of a file checked (docs/claims.md): exit 0 when every claim PASSes and every control FAILs; 1 when a
/// claim FAILs or a control does not FAIL (a test without power); 3 when nothing fails but something is INCONCLUSIVE.
/// </summary>
public sealed record CheckResult(string Title, IReadOnlyList<ClaimVerdict> Claims, bool Interrupted = false, int? SignalExitCode = null)
{
    public int ClaimsPassed => Claims.Count(c => c.Verdict.Result == VerdictOutcome.Pass);
    public int ClaimsFailed => Claims.Count(c => c.Verdict.Result == VerdictOutcome.Fail);
    public int ControlsFailedAsTheyMust => Claims.Sum(c => c.Controls.Count(k => k.FailedAsItMust));
    public int ControlsPassed => Claims.Sum(c => c.Controls.Count(k => k.Verdict.Result == VerdictOutcome.Pass));
    public int Controls => Claims.Sum(c => c.Controls.Count);
    public int Inconclusive => Claims.Count(c => c.Verdict.Result == VerdictOutcome.Inconclusive)
        + Claims.Sum(c => c.Controls.Count(k => k.Verdict.Result == VerdictOutcome.Inconclusive));

    /// <summary>"5 claims PASS · 6 controls FAIL as they must · 0 INCONCLUSIVE", with what went wrong when something did.</summary>
    public string Headline
    {
        get
        {
            string s = $"{ClaimsPassed} {(ClaimsPassed == 1 ? "claim" : "claims")} PASS · {ControlsFailedAsTheyMust} {(ControlsFailedAsTheyMust == 1 ? "control" : "controls")} FAIL as they must · {Inconclusive} INCONCLUSIVE";
            var bad = new List<string>();
            if (ClaimsFailed > 0) bad.Add($"{ClaimsFailed} {(ClaimsFailed == 1 ? "claim" : "claims")} FAIL");
            if (ControlsPassed > 0) bad.Add($"{ControlsPassed} {(ControlsPassed == 1 ? "control" : "controls")} PASS (a test without power)");
            return bad.Count == 0 ? s : s + " — " + string.Join(", ", bad);
        }
    }

    public int ExitCode =>
        SignalExitCode ?? (ClaimsFailed > 0 || ControlsPassed > 0 ? 1 : Inconclusive > 0 ? 3 : 0);
}
