using System.Text.Json.Nodes;
using StabilityLab.Fitting;

namespace StabilityLab.Claims;

/// <summary>What a verdict table says of a claim: its id, statement, source and kind (a claims-file kind, or the study that checks it).</summary>
public sealed record ClaimInfo(string Id, string Statement, string Source, string Kind)
{
    public static ClaimInfo Of(Claim c) => new(c.Id, c.Statement, c.Source, c.Kind.Name());
}

/// <summary>A control: its id, the overrides that make it (as JSON), and the same in one line.</summary>
public sealed record ControlInfo(string Id, JsonObject Overrides, string Description)
{
    public static ControlInfo Of(ClaimControl k) => new(k.Claim.Id, k.Overrides, k.Describe());
}

/// <summary>A claim's check and its controls' checks, before their families are resolved, and the studies they read.</summary>
public sealed record ClaimChecks(ClaimInfo Claim, Check Check, IReadOnlyList<(ControlInfo Control, Check Check)> Controls, IReadOnlyList<string> Studies);

/// <summary>A control's verdict: what the claim's test concluded where the claim must not hold (it must be FAIL).</summary>
public sealed record ControlVerdict(ControlInfo Control, Verdict Verdict)
{
    /// <summary>The control did its job: the test, run where the claim must not hold, said FAIL.</summary>
    public bool FailedAsItMust => Verdict.Result == VerdictOutcome.Fail;
}

/// <summary>A claim's verdict, its controls' verdicts, and the study directories (relative to the output) it used.</summary>
public sealed record ClaimVerdict(ClaimInfo Claim, Verdict Verdict, IReadOnlyList<ControlVerdict> Controls, IReadOnlyList<string> Studies);

/// <summary>
/// Every claim checked (docs/claims.md): exit 0 when every claim PASSes and every control FAILs; 1 when a claim FAILs or
/// a control does not FAIL (a test without power); 3 when nothing fails but something is INCONCLUSIVE.
/// </summary>
public sealed record CheckResult(string Title, IReadOnlyList<ClaimVerdict> Claims, bool Interrupted = false, int? SignalExitCode = null)
{
    /// <summary>The claims as one Holm family and the controls as another (<see cref="VerdictFamily"/>).</summary>
    public static CheckResult Resolve(string title, IReadOnlyList<ClaimChecks> checks)
    {
        var claims = VerdictFamily.Resolve(checks.Select(c => c.Check).ToList());
        var controls = VerdictFamily.Resolve(checks.SelectMany(c => c.Controls.Select(k => k.Check)).ToList());
        int next = 0;
        return new CheckResult(title, checks.Select((c, i) => new ClaimVerdict(c.Claim, claims[i],
            c.Controls.Select(k => new ControlVerdict(k.Control, controls[next++])).ToList(), c.Studies)).ToList());
    }

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
