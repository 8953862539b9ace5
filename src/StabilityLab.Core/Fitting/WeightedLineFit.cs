using MathNet.Numerics.Distributions;

namespace StabilityLab.Fitting;

/// <summary>A fitted line y = Intercept + Slope·x with a 95% interval for the slope.</summary>
public sealed record LineFit(double Slope, double SlopeLo, double SlopeHi, double Intercept, double SlopeSe,
    double ReducedChiSquare, int Points)
{
    public bool SlopeIntervalContains(double value) => SlopeLo <= value && value <= SlopeHi;

    /// <summary>Degrees of freedom of the slope's t statistic (n − 2).</summary>
    public int Df => Points - 2;
}

/// <summary>
/// Weighted least squares for a line, y_i = a + b·x_i + ε_i with Var ε_i = se_i². The slope's
/// standard error is the known-variance one, inflated by √χ²_red when the scatter exceeds the
/// stated errors (a misspecified or finite-size curve), and the interval uses Student's t with
/// n − 2 degrees of freedom.
/// </summary>
public static class WeightedLineFit
{
    public static LineFit Fit(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double> se)
    {
        int n = x.Count;
        if (n < 3 || y.Count != n || se.Count != n) throw new ArgumentException("a weighted line fit needs at least 3 points with errors");
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++)
        {
            if (!(se[i] > 0) || !double.IsFinite(se[i])) throw new ArgumentException($"standard error {se[i]} at point {i} must be positive and finite");
            double w = 1 / (se[i] * se[i]);
            sw += w; sx += w * x[i]; sy += w * y[i]; sxx += w * x[i] * x[i]; sxy += w * x[i] * y[i];
        }
        double det = sw * sxx - sx * sx;
        if (!(det > 0)) throw new ArgumentException("a line fit needs at least two distinct x values");
        double b = (sw * sxy - sx * sy) / det;
        double a = (sy - b * sx) / sw;
        double chi2 = 0;
        for (int i = 0; i < n; i++)
        {
            double r = (y[i] - a - b * x[i]) / se[i];
            chi2 += r * r;
        }
        double red = chi2 / (n - 2);
        double seB = Math.Sqrt(sw / det * Math.Max(1.0, red));
        double t = StudentT.InvCDF(0, 1, n - 2, 0.975);
        return new LineFit(b, b - t * seB, b + t * seB, a, seB, red, n);
    }
}
