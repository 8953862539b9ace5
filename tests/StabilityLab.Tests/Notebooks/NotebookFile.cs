using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StabilityLab.Tests.Notebooks;

/// <summary>Reads and writes .ipynb (nbformat 4) files: code cells, their sources and saved outputs.</summary>
internal static class NotebookFile
{
    public static JsonObject Read(string path) =>
        JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path} is not a notebook");

    public static IReadOnlyList<JsonObject> CodeCells(JsonObject notebook) =>
        notebook["cells"]!.AsArray().OfType<JsonObject>().Where(c => (string?)c["cell_type"] == "code").ToList();

    /// <summary>A multiline field: nbformat allows one string or a list of lines.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        null => "",
        _ => (string?)node ?? "",
    };

    public static string Source(JsonObject cell) => Text(cell["source"]);

    /// <summary>Splits text into lines that keep their line ends, as Jupyter saves multiline fields.</summary>
    public static JsonArray Lines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }

    /// <summary>Replaces each code cell's outputs and execution count with those of a fresh run, and saves.</summary>
    public static void WriteOutputs(string path, JsonObject notebook, IReadOnlyList<JsonArray> outputs)
    {
        var cells = CodeCells(notebook);
        for (int i = 0; i < cells.Count; i++)
        {
            cells[i]["outputs"] = outputs[i].DeepClone();
            cells[i]["execution_count"] = i + 1;
        }
        // Jupyter's own layout: one-space indent, non-ASCII kept as is, a final newline.
        var options = new JsonSerializerOptions { WriteIndented = true, IndentSize = 1, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        File.WriteAllText(path, notebook.ToJsonString(options) + "\n");
    }
}
