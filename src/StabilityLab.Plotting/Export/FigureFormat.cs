using StabilityLab.Models;

namespace StabilityLab.Plotting.Export;

/// <summary>File formats a figure is written in.</summary>
public enum FigureFormat { Png, Svg, Pdf }

public static class FigureFormats
{
    public static string Extension(this FigureFormat f) => f switch
    {
        FigureFormat.Png => ".png",
        FigureFormat.Svg => ".svg",
        FigureFormat.Pdf => ".pdf",
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    public static FigureFormat Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "png" => FigureFormat.Png,
        "svg" => FigureFormat.Svg,
        "pdf" => FigureFormat.Pdf,
        _ => throw new SpecException($"unknown figure format '{name.Trim()}' (expected png, svg or pdf)"),
    };

    /// <summary>A comma-separated list such as <c>png,svg,pdf</c>, duplicates dropped.</summary>
    public static IReadOnlyList<FigureFormat> ParseList(string list)
    {
        var parts = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new SpecException("no figure format given (expected png, svg or pdf)");
        return parts.Select(Parse).Distinct().ToArray();
    }
}
