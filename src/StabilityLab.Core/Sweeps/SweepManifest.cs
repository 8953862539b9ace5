using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;

namespace StabilityLab.Sweeps;

/// <summary>
/// manifest.json of a sweep directory: the full spec (so the file reproduces the run), the
/// shard, seed, tool version, git commit, machine, start/end time and per-cell timings.
/// </summary>
public static class SweepManifest
{
    public const string FileName = "manifest.json";

    public static JsonObject Create(SweepSpec spec, ShardSpec shard, int cellsTotal, int cellsInRun, string status)
    {
        var o = new JsonObject
        {
            ["tool"] = "stabilitylab",
            ["version"] = RunInfo.Version,
            ["git_commit"] = RunInfo.GitCommit,
            ["command"] = "sweep",
            ["status"] = status,
            ["spec"] = JsonNode.Parse(spec.ToJson()),
            ["seed"] = spec.Seed,
            ["shard"] = new JsonObject { ["index"] = shard.Index, ["count"] = shard.Count },
            ["cells_total"] = cellsTotal,
            ["cells_in_run"] = cellsInRun,
            ["sampler"] = "exact",
            ["machine"] = JsonSerializer.SerializeToNode(RunInfo.Machine()),
            ["started"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture),
        };
        return o;
    }

    public static void Write(string dir, JsonObject manifest) =>
        AtomicFile.WriteAllText(Path.Combine(dir, FileName), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    public static JsonObject Read(string dir)
    {
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) throw new SpecException($"{dir} has no {FileName}: not a sweep directory");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new SpecException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new SpecException($"malformed {path}: {e.Message.Split('\n')[0]}");
        }
    }

    public static SweepSpec SpecOf(JsonObject manifest, string dir)
    {
        var node = manifest["spec"] ?? throw new SpecException($"{dir}/{FileName} has no spec");
        return node.Deserialize<SweepSpec>(SweepSpec.Json) ?? throw new SpecException($"{dir}/{FileName} has an empty spec");
    }

    public static ShardSpec ShardOf(JsonObject manifest)
    {
        var s = manifest["shard"];
        return s is null ? ShardSpec.Whole : new ShardSpec((int)s["index"]!, (int)s["count"]!);
    }
}
