namespace StabilityLab.Torch.Training;

/// <summary>One finished run of a sweep: the grid point, how it ended and its fitted rate (one row of runs.csv).</summary>
public sealed record SweepRun(
    string Id,
    int Depth,
    string TauRule,
    double Tau,
    ulong Seed,
    double StepSize,
    TrainingOutcome Outcome,
    int StepsDone,
    int? DivergedAt,
    double InitialLoss,
    double FinalLoss,
    RateEstimate? Rate,
    double? TrainAccuracy,
    double? TestAccuracy,
    double MinPairwiseDistance,
    double Seconds)
{
    /// <summary>‖θ_T − θ_0‖/‖θ_0‖ of the trained weights (see <see cref="TrainingRun.RelativeWeightChange"/>).</summary>
    public double? WeightChange { get; init; }

    /// <summary>Least and largest eigenvalue of the empirical NTK at the initialization in the trainer's normalization
    /// (K = s·Θ of <see cref="LinearizedPrediction"/>); null when not computed (n·d above <see cref="LinearizedPrediction.MaxOutputs"/>).</summary>
    public double? NtkLambdaMin { get; init; }

    /// <inheritdoc cref="NtkLambdaMin"/>
    public double? NtkLambdaMax { get; init; }

    /// <summary>The rate of the linearized gradient-descent curve, fitted like <see cref="Rate"/> over the same window
    /// (<see cref="LinearizedPrediction.Compare"/>); null for SGD or when not computed.</summary>
    public double? PredictedRate { get; init; }

    /// <summary>max_t |ln F_meas(t) − ln F_pred(t)| over the recorded rows (<see cref="LinearizedPrediction.Compare"/>);
    /// null for SGD or when not computed.</summary>
    public double? CurveGap { get; init; }

    /// <summary>Which test images the network classified correctly where <see cref="TestAccuracy"/> was measured
    /// (<see cref="TrainingRun.TestCorrect"/>; the study's test-correct.csv); null when not kept.</summary>
    public CorrectImages? TestCorrect { get; init; }

    /// <summary>The zero predictor's loss on the training set (<see cref="TrainingRun.ZeroLoss"/>); null in runs.csv files
    /// written before it was kept.</summary>
    public double? ZeroLoss { get; init; }

    /// <summary>The loss the run's progress is measured from (<see cref="TrainingRun.ReferenceLoss"/>).</summary>
    public double Reference => TrainingRun.ReferenceLoss(InitialLoss, ZeroLoss);

    /// <summary>The run's key in the grid: depth, τ rule, seed and step size.</summary>
    public static string MakeId(int depth, string tauRule, ulong seed, double stepSize) =>
        $"L={depth}|tau={tauRule}|seed={seed}|lr={stepSize.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Stalled: did not diverge, yet the final loss is above <paramref name="stallRatio"/> times the
    /// <see cref="Reference"/> (the initial loss, or the zero predictor's where that is smaller).</summary>
    public bool Stalled(double stallRatio) =>
        Outcome != TrainingOutcome.Diverged && !(FinalLoss <= stallRatio * Reference);
}
