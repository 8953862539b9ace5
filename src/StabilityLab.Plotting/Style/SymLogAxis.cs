using OxyPlot.Axes;

namespace StabilityLab.Plotting.Style;

/// <summary>
/// A symmetric-log axis for values of either sign: y ↦ asinh(y / 2c), linear within about ±c and logarithmic beyond
/// (the log axis's fallback where a plotted value is ≤ 0); ticks at 0 and ±c·10^k.
/// </summary>
public sealed class SymLogAxis : LinearAxis
{
    public SymLogAxis(double linearScale) => LinearScale = linearScale;

    /// <summary>c: the half-width of the (nearly) linear part around 0.</summary>
    public double LinearScale { get; }

    protected override double PreTransform(double x) => Math.Asinh(x / (2 * LinearScale));

    protected override double PostInverseTransform(double x) => 2 * LinearScale * Math.Sinh(x);

    public override void GetTickValues(out IList<double> majorLabelValues, out IList<double> majorTickValues, out IList<double> minorTickValues)
    {
        var major = new List<double> { 0 };
        for (double v = LinearScale; v <= Math.Max(Math.Abs(ActualMinimum), Math.Abs(ActualMaximum)) * 1.000001; v *= 10)
            major.AddRange([v, -v]);
        majorLabelValues = majorTickValues = major.Where(v => v >= ActualMinimum && v <= ActualMaximum).Order().ToList();
        minorTickValues = [];
    }
}
