using OxyPlot;
using StabilityLab.Models;

namespace StabilityLab.Plotting.Style;

/// <summary>
/// How a figure is dressed for where it is shown: <see cref="Paper"/> (the house style: white, print type sizes) or
/// <see cref="Slides"/> (a dark background, type and lines scaled up to read from the back of a room).
/// </summary>
public sealed record FigureTheme(string Name, OxyColor Background, OxyColor Text, OxyColor Muted, OxyColor MajorGrid, OxyColor MinorGrid, double FontScale, double LineScale, bool LegendBelow)
{
    public static FigureTheme Paper { get; } = new("paper", OxyColors.White, HouseStyle.Text, HouseStyle.Muted, HouseStyle.MajorGrid, HouseStyle.MinorGrid, 1, 1, false);

    public static FigureTheme Slides { get; } = new("slides", OxyColor.FromRgb(0x1E, 0x1E, 0x24), OxyColor.FromRgb(0xF0, 0xF0, 0xF0),
        OxyColor.FromRgb(0xB0, 0xB0, 0xB0), OxyColor.FromRgb(0x44, 0x44, 0x4C), OxyColor.FromRgb(0x30, 0x30, 0x38), 1.4, 1.8, true);

    public static IReadOnlyList<string> Names { get; } = ["paper", "slides"];

    public static FigureTheme Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "paper" => Paper,
        "slides" => Slides,
        _ => throw new SpecException($"unknown figure theme '{name}' (expected paper or slides)"),
    };
}
