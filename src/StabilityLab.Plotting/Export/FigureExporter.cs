using StabilityLab.Output;
using OxyPlot;
using StabilityLab.Models;
using StabilityLab.Plotting.Style;
using Skia = OxyPlot.SkiaSharp;

namespace StabilityLab.Plotting.Export;

/// <summary>
/// Writes figures with OxyPlot.SkiaSharp's exporters (PNG at print resolution, SVG, PDF with real glyphs),
/// each file atomically, and beside them NAME.csv with exactly the plotted data (<see cref="FigureData"/>).
/// Exporting applies the house style for the size and theme (<see cref="HouseStyle.Apply"/>) to the model.
/// </summary>
public static class FigureExporter
{
    /// <summary>The figure as the bytes of one file format.</summary>
    public static byte[] Render(PlotModel model, FigureFormat format, FigureSize size, FigureTheme? theme = null)
    {
        using var ms = new MemoryStream();
        Write(model, ms, format, size, theme);
        return ms.ToArray();
    }

    /// <summary>Writes the figure in one format to a stream.</summary>
    public static void Write(PlotModel model, Stream stream, FigureFormat format, FigureSize size, FigureTheme? theme = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(size);
        HouseStyle.Apply(model, size, theme);
        FigureData.FromModel(model); // throws before anything is drawn if a non-finite value slipped in
        switch (format)
        {
            case FigureFormat.Png:
                new Skia.PngExporter { Width = size.PngWidth, Height = size.PngHeight, Dpi = (float)size.PngDpi }.Export(model, stream);
                break;
            case FigureFormat.Svg:
                new Skia.SvgExporter { Width = (float)size.WidthUnits, Height = (float)size.HeightUnits }.Export(model, stream);
                break;
            case FigureFormat.Pdf:
                new Skia.PdfExporter { Width = (float)(size.WidthInches * 72), Height = (float)(size.HeightInches * 72) }.Export(model, stream);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }
        // OxyPlot draws a failed figure as its error text instead of throwing: never ship that as a figure.
        if (model.GetLastPlotException() is { } failed)
            throw new InvalidOperationException($"figure could not be drawn: {failed.Message}", failed);
    }

    /// <summary>Writes DIR/NAME.ext for each format and DIR/NAME.csv (the plotted data); returns the paths written.</summary>
    public static IReadOnlyList<string> Export(PlotModel model, string directory, string name, IEnumerable<FigureFormat> formats, FigureSize size, FigureTheme? theme = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new SpecException($"bad figure file name '{name}'");
        if (File.Exists(directory)) throw new SpecException($"cannot write figures to {directory}: it is a file, not a directory");
        var written = new List<string>();
        foreach (var f in formats.Distinct())
        {
            var path = Path.Combine(directory, name + f.Extension());
            AtomicFile.Write(path, s => Write(model, s, f, size, theme));
            written.Add(path);
        }
        var csv = Path.Combine(directory, name + ".csv");
        AtomicFile.WriteAllText(csv, FigureData.ToCsv(FigureData.FromModel(model)));
        written.Add(csv);
        return written;
    }
}
