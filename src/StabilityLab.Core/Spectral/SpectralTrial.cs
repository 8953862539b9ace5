using StabilityLab.Randomness;
namespace StabilityLab.Spectral;

/// <summary>
/// What one random network measured, in the log domain (natural logs of squared norms, never raw norms):
/// WholeLogSq = log ‖J_L···J_1‖₂² (for the post block J_l = D_l(I + τW_l), masks D_l from the forward pass
/// of the fixed input), MaxPairLogSq = max over the evaluated pairs (a, b) of log ‖J_b···J_a‖₂², reached at
/// MaxPair; PairLogSq[k] belongs to the k-th pair of the sampler's pair list. Steps counts Lanczos steps;
/// a norm whose estimate had not settled (relative change ≥ the tolerance) within the step limit is
/// counted in PairsNotConverged. Gram and Ntk are null when not requested. LogSqSingularValues holds
/// log σ_i² of the whole product, descending, when the full spectrum was requested.
/// Dead marks a network in which some layer became exactly zero: its norms are −∞ and every statistic skips it.
/// </summary>
public sealed record SpectralTrial(
    int Trial,
    bool Dead,
    double WholeLogSq,
    int WholeSteps,
    bool WholeConverged,
    double MaxPairLogSq,
    BlockPair MaxPair,
    double[] PairLogSq,
    int PairsNotConverged,
    double MeanSteps,
    GramSummary? Gram,
    GramSummary? Ntk,
    double[]? LogSqSingularValues);
