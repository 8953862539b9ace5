using System.CommandLine;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Plotting.Export;
using StabilityLab.Plotting.Figures;
using StabilityLab.Plotting.Style;
using StabilityLab.Tables;

namespace StabilityLab.Cli.Commands;

/// <summary>`stabilitylab plot DIR`: draws figures from a sweep (or training) directory into DIR/figures.</summary>
public static class PlotCommand
{
    public static Command Build(CliIo io)
    {
        var dir = new Argument<string>("dir") { Description = "a sweep directory (cells.csv, traces.csv), or a training directory (curves.csv) for the training figure" };
        var figure = new Option<string?>("--figure", "-f") { Description = $"figures, comma-separated: {string.Join(", ", FigureCatalog.Names)} (default: every figure the directory supports)" };
        var format = new Option<string>("--format") { Description = "file formats, comma-separated: png, svg, pdf", DefaultValueFactory = _ => "png,pdf" }
            .Parses(FigureFormats.ParseList);
        var outDir = OutputOptions.OptionalDirectory("output directory (default: DIR/figures)");
        var size = new Option<string>("--size") { Description = "single (3.35 in column) or double (7 in text width)", DefaultValueFactory = _ => "double" }
            .Parses(FigureSize.Parse);
        var theme = new Option<string>("--theme") { Description = "paper (white, print type) or slides (dark background, large type, thick lines)", DefaultValueFactory = _ => "paper" }
            .Parses(FigureTheme.Parse);
        var cmd = new Command("plot", "Draw paper figures (PNG/SVG/PDF, with the plotted data as CSV beside each) from a sweep or training directory.")
        {
            dir, figure, format, outDir, size, theme,
        };
        cmd.SetAction(r =>
        {
            var d = r.GetValue(dir)!;
            var formats = FigureFormats.ParseList(r.GetValue(format)!);
            var figureSize = FigureSize.Parse(r.GetValue(size)!);
            var figureTheme = FigureTheme.Parse(r.GetValue(theme)!);
            if (!Directory.Exists(d)) throw new SpecException($"not a directory: {d}");
            var names = r.GetValue(figure) is { } f
                ? f.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(FigureCatalog.Check).Distinct().ToList()
                : FigureAvailability.Supported(d);
            if (names.Count == 0) throw new SpecException($"no figure given and {d} has no {CellsTable.FileName}, {PlotData.CurvesFile} or {FigureCatalog.SpectrumFile}");
            var target = r.GetValue(outDir) ?? Path.Combine(d, "figures");
            // Build every figure before writing any, so bad input leaves no partial set of files.
            var figures = names.SelectMany(n => FigureCatalog.Build(n, d)).ToList();
            foreach (var fig in figures)
                foreach (var path in FigureExporter.Export(fig.Model, target, fig.FileName, formats, figureSize, figureTheme))
                    io.Out.WriteLine(path);
            return CliApp.ExitOk;
        });
        return cmd;
    }
}
