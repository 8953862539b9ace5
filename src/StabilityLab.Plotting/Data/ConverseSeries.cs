namespace StabilityLab.Plotting.Data;

/// <summary>ln E[‖h_L‖²/‖h_0‖²] at depth L with its 95% interval [Lo, Hi] (natural logs).</summary>
public sealed record ConversePoint(int Depth, double LogMeanRatio, double Lo, double Hi);

/// <summary>
/// The converse experiment for one c (τ = L^{−1/2+c}): measured points and, when fitted, the growth law
/// ln E ratio ≈ e^Intercept · L^Slope (theory: Slope = 2c).
/// </summary>
public sealed record ConverseSeries(double C, IReadOnlyList<ConversePoint> Points, PowerLawFit? Fit = null);
