namespace StabilityLab.Plotting.Data;

/// <summary>
/// A fitted power law y = e^Intercept · x^Slope (natural-log intercept: ln y = Intercept + Slope · ln x),
/// with a 95% interval [SlopeLo, SlopeHi] for the slope.
/// </summary>
public sealed record PowerLawFit(double Slope, double SlopeLo, double SlopeHi, double Intercept)
{
    public double Evaluate(double x) => Math.Exp(Intercept + Slope * Math.Log(x));
}
