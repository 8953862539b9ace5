using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.PackageManagement;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;

namespace StabilityLab.Tests.Notebooks;

/// <summary>
/// Executes a notebook's code cells top to bottom in a fresh C# kernel, headless, and returns each code
/// cell's outputs in nbformat 4 form (stream, display_data, execute_result). The notebook takes StabilityLab as
/// packages (<c>#i "nuget: ../artifacts"</c>, <c>#r "nuget: StabilityLab.Core, 0.1.0"</c>); here the source is pointed
/// at a given feed and the packages at a given version, so a test runs the packages of its own build.
/// </summary>
internal static partial class NotebookExecution
{
    /// <summary>The outputs of each code cell, in order; <see cref="NotebookCellFailed"/> names the first failing cell.</summary>
    public static async Task<IReadOnlyList<JsonArray>> Run(string path, JsonObject notebook, string feed, string version)
    {
        var cells = NotebookFile.CodeCells(notebook);
        if (cells.Count == 0) throw new NotebookCellFailed($"{Path.GetFileName(path)} has no code cells");
        var natives = new NativeProbing();
        using var kernel = new CSharpKernel().UseNugetDirective((k, packages) =>
        {
            k.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
            natives.Add(packages);
            return Task.CompletedTask;
        });
        Directory.SetCurrentDirectory(Path.GetDirectoryName(path)!);
        var outputs = new List<JsonArray>();
        for (int i = 0; i < cells.Count; i++)
        {
            var code = Source().Replace(NotebookFile.Source(cells[i]), $"#i \"nuget: {feed}\"");
            code = Package().Replace(code, m => $"#r \"nuget: {m.Groups[1].Value}, {version}\"");
            var result = await kernel.SubmitCodeAsync(code);
            if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
                throw new NotebookCellFailed($"cell {i + 1} of {Path.GetFileName(path)} failed: {failed.Message}");
            outputs.Add(Outputs(result.Events, executionCount: i + 1));
        }
        return outputs;
    }

    // nbformat 4: consecutive writes to one stream make one stream output, as Jupyter saves them.
    private static JsonArray Outputs(IEnumerable<KernelEvent> events, int executionCount)
    {
        var outputs = new JsonArray();
        JsonObject? stream = null;
        foreach (var e in events)
        {
            switch (e)
            {
                case StandardOutputValueProduced or StandardErrorValueProduced:
                    var name = e is StandardOutputValueProduced ? "stdout" : "stderr";
                    var text = ((DisplayEvent)e).FormattedValues.FirstOrDefault(v => v.MimeType == "text/plain")?.Value ?? "";
                    if (stream is not null && (string?)stream["name"] == name)
                    {
                        stream["text"] = (string?)stream["text"] + text;
                    }
                    else
                    {
                        stream = new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = text };
                        outputs.Add(stream);
                    }
                    continue;
                case ReturnValueProduced returned:
                    outputs.Add(new JsonObject { ["output_type"] = "execute_result", ["data"] = Data(returned), ["execution_count"] = executionCount, ["metadata"] = new JsonObject() });
                    break;
                case DisplayedValueProduced displayed when !IsRestoreReport(displayed):
                    outputs.Add(new JsonObject { ["output_type"] = "display_data", ["data"] = Data(displayed), ["metadata"] = new JsonObject() });
                    break;
                default:
                    continue;
            }
            stream = null;
        }
        foreach (var output in outputs.OfType<JsonObject>().Where(o => (string?)o["output_type"] == "stream"))
            output["text"] = NotebookFile.Lines((string)output["text"]!);
        return outputs;
    }

    private static JsonObject Data(DisplayEvent e)
    {
        var data = new JsonObject();
        foreach (var value in e.FormattedValues)
            data[value.MimeType] = value.MimeType.StartsWith("image/", StringComparison.Ordinal) ? value.Value : NotebookFile.Lines(value.Value);
        return data;
    }

    // The kernel's own report of a package restore (HTML naming the sources and packages): not the notebook's output.
    private static bool IsRestoreReport(DisplayEvent e) =>
        e.FormattedValues.All(v => v.MimeType == "text/html") && e.FormattedValues.Any(v => v.Value.Contains("Restore sources", StringComparison.Ordinal) || v.Value.Contains("Packages</strong>", StringComparison.Ordinal));

    // The notebook's package source: #i "nuget: …".
    [GeneratedRegex("#i \"nuget: *[^\"]*\"")]
    private static partial Regex Source();

    // A StabilityLab package with its version: #r "nuget: StabilityLab.Core, 0.1.0".
    [GeneratedRegex("#r \"nuget: *(StabilityLab\\.[A-Za-z]+|stabilitylab) *, *[^\"]*\"")]
    private static partial Regex Package();
}

/// <summary>A notebook cell failed: the message names the cell and the kernel's error.</summary>
internal sealed class NotebookCellFailed(string message) : Exception(message);
