using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StabilityLab.Output;

/// <summary>The one way the tool writes JSON text: indented, τ and ‖·‖ left as they are (not \u-escaped), ending in a line break.</summary>
public static class JsonText
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Of(JsonNode node) => node.ToJsonString(Options) + "\n";
}
