using StabilityLab.Claims;

namespace StabilityLab.Reports;

/// <summary>
/// What a reproduction produced: every claim's and control's verdict and the report's path; or, when a sweep was
/// interrupted (Ctrl-C/SIGTERM), nothing beyond the sweeps' kept cells (<see cref="Result"/> null).
/// </summary>
public sealed record ReproductionResult(string Directory, CheckResult? Result, bool Interrupted, int? SignalExitCode = null)
{
    public string ReportPath => Path.Combine(Directory, "README.md");
}
