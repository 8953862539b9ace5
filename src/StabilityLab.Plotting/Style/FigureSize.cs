using StabilityLab.Models;

namespace StabilityLab.Plotting.Style;

/// <summary>
/// The printed size of a figure and its type sizes. Plot units are 1/96 inch (OxyPlot's device-independent
/// pixel); PNG is rendered at <see cref="PngDpi"/>, PDF in points (1/72 inch), SVG in 1/96-inch user units,
/// so text keeps its point size when the figure is placed at its natural width.
/// </summary>
public sealed record FigureSize(string Name, double WidthInches, double HeightInches, double FontPoints, double TickFontPoints, double PngDpi)
{
    /// <summary>One column of a two-column paper: 3.35 × 3 in, 8 pt labels, 7 pt ticks, PNG 1005 × 900 (300 dpi).</summary>
    public static FigureSize Single { get; } = new("single", 3.35, 3.0, 8, 7, 300);

    /// <summary>Full text width: 7 in wide, 9 pt labels, 8 pt ticks, PNG 1800 × 1200 (≈257 dpi).</summary>
    public static FigureSize Double { get; } = new("double", 7.0, 14.0 / 3.0, 9, 8, 1800.0 / 7.0);

    public double WidthUnits => WidthInches * 96;
    public double HeightUnits => HeightInches * 96;
    public int PngWidth => (int)Math.Round(WidthInches * PngDpi);
    public int PngHeight => (int)Math.Round(HeightInches * PngDpi);

    /// <summary>A size of type in plot units (1/96 in) for a size in points.</summary>
    public static double Units(double points) => points * 96.0 / 72.0;

    public static FigureSize Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "single" => Single,
        "double" => Double,
        _ => throw new SpecException($"unknown figure size '{name}' (expected single or double)"),
    };
}
