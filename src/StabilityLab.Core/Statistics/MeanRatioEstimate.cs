namespace StabilityLab.Statistics;

/// <summary>
/// An estimate of log E[r] from n draws of the log ratio x = log r (<see cref="MeanRatio.Estimate"/>).
/// Nothing here is NaN: a quantity that cannot be computed is null, so a writer leaves its field empty.
/// </summary>
/// <param name="N">Finite log ratios used.</param>
/// <param name="LogMeanExp">log((1/n) Σ exp(x_i)), the plug-in estimate; null without values.</param>
/// <param name="Khat">Pareto k̂ of the upper tail of exp(x) (<see cref="ParetoKhat"/>); null when the tail is too short to fit.</param>
/// <param name="KhatThreshold">min(1 − 1/log10(n), 0.7): the sample mean is trusted only below it.</param>
/// <param name="NormalityP">p-value of the Anderson–Darling test that x is Gaussian; null for fewer than 8 values.</param>
/// <param name="Method">How the interval was made: <see cref="MeanRatio.SampleMean"/>, <see cref="MeanRatio.LogNormal"/> or <see cref="MeanRatio.NotEstimable"/>.</param>
/// <param name="Ok">True when the interval can be trusted at its nominal level; false exactly when Method is not-estimable.</param>
/// <param name="Estimate">The method's point estimate of log E[r] (the log-mean-exp, or μ̂ + σ̂²/2); null when not estimable.</param>
/// <param name="Lo">Lower end of the interval for log E[r]; null when not estimable.</param>
/// <param name="Hi">Upper end; null when not estimable.</param>
/// <param name="Level">Nominal coverage of [Lo, Hi].</param>
public sealed record MeanRatioEstimate(
    int N,
    double? LogMeanExp,
    double? Khat,
    double KhatThreshold,
    double? NormalityP,
    string Method,
    bool Ok,
    double? Estimate,
    double? Lo,
    double? Hi,
    double Level);
