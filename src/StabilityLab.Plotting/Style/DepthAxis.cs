using OxyPlot.Axes;

namespace StabilityLab.Plotting.Style;

/// <summary>
/// A logarithmic depth axis whose labelled ticks are the depths that hold data (4, 16, 64, ... rather than
/// 10, 100, 1000), thinned to every k-th depth when the labels would not fit the axis length; the other
/// data depths get unlabelled minor ticks. Falls back to ordinary log ticks with fewer than two depths.
/// </summary>
public sealed class DepthAxis : LogarithmicAxis
{
    private readonly double[] _depths;

    public DepthAxis(IEnumerable<double> depths)
    {
        _depths = depths.Where(d => d > 0 && double.IsFinite(d)).Distinct().Order().ToArray();
    }

    public IReadOnlyList<double> Depths => _depths;

    public override void GetTickValues(out IList<double> majorLabelValues, out IList<double> majorTickValues, out IList<double> minorTickValues)
    {
        var inRange = _depths.Where(d => d >= ActualMinimum * (1 - 1e-9) && d <= ActualMaximum * (1 + 1e-9)).ToArray();
        if (inRange.Length < 2)
        {
            base.GetTickValues(out majorLabelValues, out majorTickValues, out minorTickValues);
            return;
        }
        double length = Math.Abs(ScreenMax.X - ScreenMin.X) + Math.Abs(ScreenMax.Y - ScreenMin.Y);
        double fontSize = double.IsNaN(FontSize) ? 12 : FontSize;
        int chars = inRange.Max(d => HouseStyle.Number(d).Length);
        double labelWidth = IsHorizontal() ? chars * 0.62 * fontSize + 10 : fontSize * 1.6;
        int k = 1;
        while (length > 0 && inRange.Length / k * labelWidth > length && k < inRange.Length) k++;
        var major = inRange.Where((_, i) => i % k == 0).ToList();
        majorLabelValues = major;
        majorTickValues = major;
        minorTickValues = inRange.Except(major).ToList();
    }
}
