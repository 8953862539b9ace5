using StabilityLab.Models;

namespace StabilityLab.Tables;

/// <summary>
/// One row of cells.csv (docs/file-formats.md), read back with its description typed: block, activation, weight law
/// and τ rule (parameters bound). Every norm statistic is a natural log of a squared-norm ratio: Fwd* of
/// ‖h_L‖²/‖h_0‖², Bwd* of ‖∂F/∂h_0‖²/‖∂F/∂h_L‖². An empty field (not measured: a cell without statistics, an interval that
/// is not estimable, a k̂ that could not be fitted) reads as NaN; figures skip such points and say so.
/// <see cref="FwdLogMeanSqOk"/> says whether [FwdLogMeanSqLo, FwdLogMeanSqHi] can be trusted at 95%.
/// </summary>
public sealed record CellRow(
    BlockKind Block,
    Activation Activation,
    int Width,
    int Depth,
    double Tau,
    int Trials,
    string Sampler,
    string Seed,
    double FwdLogSqMean,
    double FwdLogSqSd,
    double FwdLogSqQ05,
    double FwdLogSqQ50,
    double FwdLogSqQ95,
    double FwdLogMeanSq,
    double FwdLogMeanSqLo,
    double FwdLogMeanSqHi,
    double FwdMaxLogSqMean,
    double BwdLogSqMean,
    double BwdLogSqSd,
    double BwdLogSqQ50,
    double BlowupFrac,
    TauRule Rule,
    WeightLaw Weights = WeightLaw.Gaussian,
    int DeadTrials = 0,
    double FwdRatioKhat = double.NaN,
    bool FwdLogMeanSqOk = true,
    string FwdLogMeanSqMethod = "",
    string Status = "measured")
{
    /// <summary>True when log E ratio has a finite interval that can be trusted at 95% (<see cref="FwdLogMeanSqOk"/>).</summary>
    public bool HasTrustedMean => FwdLogMeanSqOk && double.IsFinite(FwdLogMeanSqLo) && double.IsFinite(FwdLogMeanSqHi) && FwdLogMeanSqHi >= FwdLogMeanSqLo;
}
