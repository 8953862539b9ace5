using StabilityLab.Fitting;

namespace StabilityLab.Claims;

/// <summary>
/// An interpreter of the claim kinds that are not measured on a stability sweep (training, block products): it plans
/// the studies those claims need, runs them under DIR/studies/&lt;key&gt; and tests every claim. Core defines the seam;
/// the runners live where their engines do (StabilityLab.Torch.Claims), and `check` and `reproduce` pass them in.
/// </summary>
public interface IClaimRunner
{
    /// <summary>The kinds this runner tests.</summary>
    IReadOnlyCollection<ClaimKind> Kinds { get; }

    /// <summary>Throws <see cref="StabilityLab.Models.SpecException"/> naming the claim for the first one it cannot run (before any work).</summary>
    void Validate(IReadOnlyList<Claim> claims, ulong seed);

    /// <summary>Runs (or reuses, by content) the studies of <paramref name="claims"/> (claims and controls alike) under
    /// <paramref name="studiesDir"/> and tests each.</summary>
    ClaimRunnerResult Run(IReadOnlyList<Claim> claims, ulong seed, string studiesDir, ClaimRunnerContext context);
}

/// <summary>What a runner is given besides the claims: threads, whether to recompute or continue, progress and log.</summary>
public sealed record ClaimRunnerContext(int Threads, bool Fresh, bool Resume, ClaimCheck.StudyProgress Progress, Action<string>? Log);

/// <summary>Each claim's (and control's) check by id, the study directory it read, or an interruption.</summary>
public sealed record ClaimRunnerResult(IReadOnlyDictionary<string, (Check Check, string Directory)> Checks, bool Interrupted = false, int? SignalExitCode = null);
