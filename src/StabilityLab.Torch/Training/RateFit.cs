using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace StabilityLab.Torch.Training;

/// <summary>
/// A linear convergence rate: log F(θ_t) ≈ a − r·t over the linear phase, with a two-sided t-interval for r.
/// The interval treats the residuals as independent, which a deterministic curve's are not: read it as the
/// precision of the fit, not a sampling interval (seeds give the sampling spread).
/// </summary>
public sealed record RateEstimate(double Rate, double Lower, double Upper, int FirstStep, int LastStep, int Points, double RSquared);

/// <summary>Fits linear rates to loss curves (MathNet <see cref="Fit.Line"/> + Student-t interval).</summary>
public static class RateFit
{
    /// <summary>
    /// The rate r of a curve: ordinary least squares of ln F on the step over the linear phase, which is the second
    /// half (by step) of the finite curve: steps from t_end/2 to t_end, t_end being its last row (the loss has then
    /// left the initial transient, and rows end where training stopped: at convergence, divergence or the last step).
    /// Null when the phase has fewer than 3 rows or a loss is not positive.
    /// </summary>
    public static RateEstimate? Fit(IReadOnlyList<CurvePoint> curve, double confidence = 0.95)
    {
        if (curve.Count == 0) return null;
        int end = curve[^1].Step, start = end / 2;
        var phase = curve.Where(c => c.Step >= start).ToList();
        if (phase.Count < 3 || phase.Any(c => !(c.Loss > 0) || !double.IsFinite(c.Loss))) return null;
        return FitLine(phase.Select(c => (double)c.Step).ToArray(), phase.Select(c => Math.Log(c.Loss)).ToArray(), confidence);
    }

    /// <summary>Least-squares slope of y on x reported as r = −slope, with its t-interval at <paramref name="confidence"/>.</summary>
    public static RateEstimate? FitLine(double[] x, double[] y, double confidence = 0.95)
    {
        var line = Line(x, y, confidence);
        if (line is null) return null;
        var l = line.Value;
        return new RateEstimate(-l.Slope, -l.Upper, -l.Lower, (int)x[0], (int)x[^1], x.Length, l.RSquared);
    }

    /// <summary>y = a + b·x by least squares (MathNet Fit.Line): the slope b, its two-sided t-interval with n − 2
    /// degrees of freedom at <paramref name="confidence"/>, and R². Null for fewer than 3 points or constant x.</summary>
    public static (double Slope, double Lower, double Upper, double RSquared)? Line(double[] x, double[] y, double confidence = 0.95)
    {
        int n = x.Length;
        if (n < 3 || y.Length != n) return null;
        var (intercept, slope) = MathNet.Numerics.Fit.Line(x, y);
        double mx = x.Average(), my = y.Average();
        double sxx = 0, ssr = 0, sst = 0;
        for (int i = 0; i < n; i++)
        {
            sxx += (x[i] - mx) * (x[i] - mx);
            double r = y[i] - (intercept + slope * x[i]);
            ssr += r * r;
            sst += (y[i] - my) * (y[i] - my);
        }
        if (!(sxx > 0)) return null;
        double se = Math.Sqrt(ssr / (n - 2) / sxx);
        double q = StudentT.InvCDF(0, 1, n - 2, 0.5 + confidence / 2);
        double r2 = sst > 0 ? 1 - ssr / sst : 1;
        return (slope, slope - q * se, slope + q * se, r2);
    }
}
