using StabilityLab.Models;

namespace StabilityLab.Tables;

/// <summary>
/// One row of cells.csv (docs/file-formats.md), read back with its description typed: block, activation, weight law
/// and τ rule (parameters bound). Every norm statistic is a natural log of a squared-norm ratio: Fwd* of
/// ‖h_L‖²/‖h_0‖², Bwd* of ‖∂F/∂h_0‖²/‖∂F/∂h_L‖². A value the file lacks or holds as NaN/±∞ reads as NaN;
/// figures skip such points and say so.
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
    int DeadTrials = 0);
