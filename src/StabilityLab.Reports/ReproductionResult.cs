using StabilityLab.Fitting;

namespace StabilityLab.Reports;

/// <summary>
/// What a reproduction produced: every verdict and the report's path; or, when the stability sweep was
/// interrupted (Ctrl-C/SIGTERM), nothing beyond the sweep's kept cells.
/// </summary>
public sealed record ReproductionResult(string Directory, IReadOnlyList<Verdict> Verdicts, bool Interrupted)
{
    public string ReportPath => Path.Combine(Directory, "README.md");
}
