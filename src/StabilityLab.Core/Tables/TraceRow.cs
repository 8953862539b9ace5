using StabilityLab.Models;

namespace StabilityLab.Tables;

/// <summary>
/// One row of traces.csv: the statistics over networks at layer l of one traced cell. Fwd* are natural
/// logs of ‖h_l‖²/‖h_0‖², Bwd* of ‖∂F/∂h_l‖²/‖∂F/∂h_L‖², WgradLogSqMean the mean of ln‖∂F/∂W_l‖²_F
/// (NaN at l = 0, which has no weights).
/// </summary>
public sealed record TraceRow(
    int Cell,
    BlockKind Block,
    int Width,
    int Depth,
    double Tau,
    TauRule Rule,
    int Layer,
    double FwdLogSqMean,
    double FwdLogSqQ05,
    double FwdLogSqQ50,
    double FwdLogSqQ95,
    double BwdLogSqMean,
    double BwdLogSqQ05,
    double BwdLogSqQ50,
    double BwdLogSqQ95,
    double WgradLogSqMean);
