namespace StabilityLab.Torch.Training;

/// <summary>How a run ended.</summary>
public enum TrainingOutcome
{
    /// <summary>All steps done, loss finite and bounded.</summary>
    Completed,
    /// <summary>The loss reached the stop ratio of its initial value (training stopped early).</summary>
    Converged,
    /// <summary>The loss became non-finite or exceeded the divergence factor times its initial value.</summary>
    Diverged,
}

/// <summary>
/// One row of a training curve, at parameters θ_t (before update t). Loss = F = Σ_i ½‖B h_{i,L} − y*_i‖² over the
/// whole training split; MeanLoss = F/n. Accuracies are fractions in [0, 1]; test values are null without a test split
/// or between evaluations.
/// </summary>
public sealed record CurvePoint(int Step, double Loss, double MeanLoss, double? TrainAccuracy, double? TestLoss, double? TestAccuracy);

/// <summary>The result of one training run; every number in <see cref="Curve"/> is finite.</summary>
public sealed record TrainingRun(
    TrainingOutcome Outcome,
    IReadOnlyList<CurvePoint> Curve,
    int StepsDone,
    int? DivergedAtStep,
    double InitialLoss,
    double Seconds)
{
    /// <summary>‖θ_T − θ_0‖/‖θ_0‖ over the trained weights at the end (small: training stayed near the initialization,
    /// the theory's regime); null when not finite.</summary>
    public double? RelativeWeightChange { get; init; }

    /// <summary>Which test images the network classified correctly at its last test evaluation (the one
    /// <see cref="FinalTestAccuracy"/> reports); null without a labelled test split or before any test evaluation.</summary>
    public CorrectImages? TestCorrect { get; init; }

    /// <summary>The loss of the zero predictor on the training set, F_∅ = Σ_i ½‖y_i‖² (the loss of a network that has fitted
    /// nothing); with the initial loss, the reference a run's progress is measured from (<see cref="SweepRun.Reference"/>).</summary>
    public double? ZeroLoss { get; init; }

    /// <summary>
    /// The loss a run's progress is measured from: the smaller of its initial loss and the zero predictor's (when known and
    /// positive). A network whose outputs start astronomically large (τ = 1 at depth: ‖h_L‖² ≈ e^{cL}) can shed all but 10⁻⁶
    /// of its initial loss and still end far above F_∅: it has removed its own output, not fitted the data (docs/claims.md §8).
    /// The trainer's stop and <see cref="SweepRun.Reference"/> both use it.
    /// </summary>
    public static double ReferenceLoss(double initialLoss, double? zeroLoss) =>
        zeroLoss is > 0 and var z && z < initialLoss ? z : initialLoss;

    public static string Name(TrainingOutcome o) => o switch
    {
        TrainingOutcome.Completed => "completed",
        TrainingOutcome.Converged => "converged",
        _ => "diverged",
    };

    /// <summary>Loss of the last recorded row (NaN when nothing finite was recorded).</summary>
    public double FinalLoss => Curve.Count > 0 ? Curve[^1].Loss : double.NaN;

    /// <summary>Last recorded test accuracy, if any.</summary>
    public double? FinalTestAccuracy => Curve.LastOrDefault(c => c.TestAccuracy is not null)?.TestAccuracy;

    /// <summary>Last recorded training accuracy, if any.</summary>
    public double? FinalTrainAccuracy => Curve.LastOrDefault(c => c.TrainAccuracy is not null)?.TrainAccuracy;
}
