namespace StabilityLab.Theory;

/// <summary>
/// An interval [LogLower, LogUpper] for a natural log of a squared-norm ratio,
/// such as log E[‖h_l‖²/‖h_0‖²] (docs/science.md §3).
/// </summary>
public sealed record LogRatioBounds(double LogLower, double LogUpper)
{
    /// <summary>True when LogLower − slack ≤ value ≤ LogUpper + slack.</summary>
    public bool Contains(double logValue, double slack = 0) =>
        logValue >= LogLower - slack && logValue <= LogUpper + slack;
}
