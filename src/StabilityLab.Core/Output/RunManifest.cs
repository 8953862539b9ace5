using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Models;

namespace StabilityLab.Output;

/// <summary>Where a run stands, as every manifest.json says it (sweep, train, spectrum, reproduce).</summary>
public enum RunStatus
{
    Running,
    Complete,
    /// <summary>Stopped by the user (Ctrl-C); finished parts are kept and <c>--resume</c> completes the rest.</summary>
    Interrupted,
    /// <summary>Stopped by an error.</summary>
    Failed,
}

/// <summary>
/// The head of every manifest.json (docs/file-formats.md): tool, version, git commit, command, command line, status,
/// start and end time (ISO 8601, UTC) and machine, in that order, followed by what the command adds (its spec,
/// timings, ...). One writer and one reader, so every command's manifest uses the same keys and status words.
/// </summary>
public sealed record RunManifest(string Command, RunStatus Status, DateTimeOffset Started, DateTimeOffset? Finished = null,
    string? CommandLine = null)
{
    public const string FileName = "manifest.json";

    /// <summary>A manifest that starts now.</summary>
    public static RunManifest Start(string command, string? commandLine = null) =>
        new(command, RunStatus.Running, DateTimeOffset.UtcNow, null, commandLine);

    /// <summary>This manifest with its final status, ending now.</summary>
    public RunManifest End(RunStatus status) => this with { Status = status, Finished = DateTimeOffset.UtcNow };

    /// <summary>The head fields, then <paramref name="body"/>'s fields in their order.</summary>
    public JsonObject ToJson(JsonObject? body = null)
    {
        var o = new JsonObject
        {
            ["tool"] = "stabilitylab",
            ["version"] = RunInfo.Version,
            ["git_commit"] = RunInfo.GitCommit,
            ["command"] = Command,
            ["command_line"] = CommandLine,
            ["status"] = Name(Status),
            ["started"] = Time(Started),
            ["finished"] = Finished is { } f ? Time(f) : null,
            ["machine"] = JsonSerializer.SerializeToNode(RunInfo.Machine()),
        };
        if (body is not null)
            foreach (var (k, v) in body) o[k] = v?.DeepClone();
        return o;
    }

    /// <summary>Writes the manifest (head and body) to DIR/manifest.json, atomically.</summary>
    public void Write(string dir, JsonObject? body = null) => WriteJson(Path.Combine(dir, FileName), ToJson(body));

    /// <summary>
    /// Writes the manifest when it can: a run that ends with an error records interrupted or failed this way,
    /// and a manifest that cannot be written must not hide that error.
    /// </summary>
    public void TryWrite(string dir, JsonObject? body = null)
    {
        try
        {
            Write(dir, body);
        }
        catch (SpecException)
        {
        }
    }

    /// <summary>Writes any JSON document the way manifests are written (indented, UTF-8 kept, final line break).</summary>
    public static void WriteJson(string path, JsonNode json) => AtomicFile.WriteAllText(path, JsonText.Of(json));

    /// <summary>DIR/manifest.json as JSON; a missing or malformed file throws <see cref="SpecException"/>.</summary>
    public static JsonObject Read(string dir, string what = "a run directory")
    {
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) throw new SpecException($"{dir} has no {FileName}: not {what}");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new SpecException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new SpecException($"malformed {path}: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>The status of a manifest; older manifests said "finished" for complete. Unknown or missing: null.</summary>
    public static RunStatus? StatusOf(JsonObject manifest) => (string?)manifest["status"] switch
    {
        "running" => RunStatus.Running,
        "complete" or "finished" => RunStatus.Complete,
        "interrupted" => RunStatus.Interrupted,
        "failed" => RunStatus.Failed,
        _ => null,
    };

    /// <summary>The start time of a manifest (older training manifests: started_utc), as written.</summary>
    public static string? StartedOf(JsonObject manifest) => (string?)(manifest["started"] ?? manifest["started_utc"]);

    /// <summary>The end time of a manifest (older training manifests: finished_utc), as written.</summary>
    public static string? FinishedOf(JsonObject manifest) => (string?)(manifest["finished"] ?? manifest["finished_utc"]);

    /// <summary>The status word written to files.</summary>
    public static string Name(RunStatus s) => s switch
    {
        RunStatus.Running => "running",
        RunStatus.Complete => "complete",
        RunStatus.Interrupted => "interrupted",
        RunStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    /// <summary>The status a run that ended with <paramref name="error"/> records.</summary>
    public static RunStatus StatusFor(Exception error) => error is OperationCanceledException ? RunStatus.Interrupted : RunStatus.Failed;

    private static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture);
}
