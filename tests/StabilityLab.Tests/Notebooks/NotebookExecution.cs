using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;

namespace StabilityLab.Tests.Notebooks;

/// <summary>
/// Executes a notebook's code cells top to bottom in a fresh C# kernel, headless, and returns each code
/// cell's outputs in nbformat 4 form (stream, display_data, execute_result). A notebook's
/// <c>#r ".../bin/Release/net10.0/X.dll"</c> lines are pointed at the assemblies this test was built with,
/// so the notebooks always run against the local build.
/// </summary>
internal static partial class NotebookExecution
{
    /// <summary>The outputs of each code cell, in order; the first failing cell fails the test.</summary>
    public static async Task<IReadOnlyList<JsonArray>> Run(string path, JsonObject notebook)
    {
        var cells = NotebookFile.CodeCells(notebook);
        Assert.That(cells, Is.Not.Empty, "a notebook without code cells");
        using var kernel = new CSharpKernel();
        var previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var outputs = new List<JsonArray>();
            for (int i = 0; i < cells.Count; i++)
            {
                var code = LocalReference().Replace(NotebookFile.Source(cells[i]), m => $"#r \"{Path.Combine(AppContext.BaseDirectory, m.Groups[1].Value)}\"");
                var result = await kernel.SubmitCodeAsync(code);
                var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
                Assert.That(failed, Is.Null, $"cell {i + 1} of {Path.GetFileName(path)} failed: {failed?.Message}");
                outputs.Add(Outputs(result.Events, executionCount: i + 1));
            }
            return outputs;
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
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
                case DisplayedValueProduced displayed:
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

    // Any assembly a notebook takes from a build output folder (…/bin/Release/net10.0/X.dll).
    [GeneratedRegex("#r \"[^\"]*/bin/[A-Za-z]+/net[0-9.]+/([A-Za-z0-9_.]+\\.dll)\"")]
    private static partial Regex LocalReference();
}
