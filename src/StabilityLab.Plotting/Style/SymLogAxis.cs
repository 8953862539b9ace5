using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace StabilityLab.Plotting.Style;

/// <summary>
/// A symmetric-log axis for values of either sign: y ↦ asinh(y / 2c), linear within about ±c and logarithmic beyond
/// (the log axis's fallback where a plotted value is ≤ 0); ticks at 0 and ±c·10^k. The series hold the transformed
/// values (<see cref="Forward"/>, applied by <see cref="RatioAxis.For"/>) and the axis is linear in them: OxyPlot lays out a
/// nonlinear axis (PreTransform) with an inconsistent scale, so the transform is done here, the labels name the data
/// values, and the exported CSV holds them (<see cref="Inverse"/>, Export/FigureData.cs).
/// </summary>
public sealed class SymLogAxis : LinearAxis
{
    public SymLogAxis(double linearScale)
    {
        LinearScale = linearScale;
        LabelFormatter = DataLabel;
    }

    /// <summary>The label at an axis position: the data value there.</summary>
    public string DataLabel(double t) => HouseStyle.Number(Math.Round(Inverse(t), 12));

    /// <summary>c: the half-width of the (nearly) linear part around 0.</summary>
    public double LinearScale { get; }

    /// <summary>A data value's position on the axis.</summary>
    public double Forward(double y) => Math.Asinh(y / (2 * LinearScale));

    /// <summary>The data value at an axis position.</summary>
    public double Inverse(double t) => 2 * LinearScale * Math.Sinh(t);

    private readonly Dictionary<double, double> _plotted = [];

    /// <summary><see cref="Forward"/>, remembering the value so that <see cref="DataValue"/> gives it back exactly.</summary>
    public double Plot(double y)
    {
        double t = Forward(y);
        _plotted[t] = y;
        return t;
    }

    /// <summary>The data value a plotted position came from (exactly, for positions made by <see cref="Plot"/>).</summary>
    public double DataValue(double t) => _plotted.TryGetValue(t, out var y) ? y : Inverse(t);

    /// <summary>Maps a series' plotted y values to data values: <see cref="DataValue"/> where its y axis is a symmetric-log
    /// axis, else the identity.</summary>
    public static Func<double, double> DataValues(PlotModel model, Series series) =>
        model.Axes.OfType<SymLogAxis>().FirstOrDefault(a => a.Key == (series as XYAxisSeries)?.YAxisKey) is { } symlog ? symlog.DataValue : y => y;

    public override void GetTickValues(out IList<double> majorLabelValues, out IList<double> majorTickValues, out IList<double> minorTickValues)
    {
        var major = new List<double> { 0 };
        double reach = Math.Max(Math.Abs(Inverse(ActualMinimum)), Math.Abs(Inverse(ActualMaximum)));
        for (int k = 0; LinearScale * Math.Pow(10, k) <= reach * 1.000001; k++)
        {
            double v = LinearScale * Math.Pow(10, k);
            major.AddRange([Forward(v), Forward(-v)]);
        }
        majorLabelValues = majorTickValues = major.Where(t => t >= ActualMinimum && t <= ActualMaximum).Order().ToList();
        minorTickValues = [];
    }
}
