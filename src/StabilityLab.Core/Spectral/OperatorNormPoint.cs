using StabilityLab.Randomness;
namespace StabilityLab.Spectral;

/// <summary>Which block-product norm a figure point shows.</summary>
public enum ProductQuantity
{
    /// <summary>The whole product J_L···J_1.</summary>
    Whole,
    /// <summary>The largest over the evaluated pairs (a, b).</summary>
    MaxPair,
}

/// <summary>
/// One point of the figure "operator norm against L for several τ rules": for (τ rule, depth), statistics
/// over trials of log ‖product‖₂² (natural log of the squared operator norm; halve for log ‖·‖₂):
/// mean with its 95% interval [MeanLo, MeanHi], median with the 5%–95% band [Q05, Q95].
/// </summary>
public sealed record OperatorNormPoint(
    string TauRule,
    int Depth,
    int Width,
    ProductQuantity Quantity,
    int Trials,
    double MeanLogSq,
    double MeanLo,
    double MeanHi,
    double MedianLogSq,
    double Q05,
    double Q95)
{
    /// <summary>The median operator norm ‖·‖₂ itself (not squared); may overflow to +∞ for τ = 1 at large L.</summary>
    public double MedianNorm => Math.Exp(MedianLogSq / 2);

    public static OperatorNormPoint From(string tauRule, int depth, int width, ProductQuantity q, LogStatistic s) =>
        new(tauRule, depth, width, q, s.Count, s.Mean, s.Lo, s.Hi, s.Q50, s.Q05, s.Q95);
}
