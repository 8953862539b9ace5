using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;

namespace StabilityLab.Sweeps;

/// <summary>
/// manifest.json of a sweep directory: the <see cref="RunManifest"/> head (version, git commit, status, times,
/// machine), then the full spec (so the file reproduces the run), the shard, seed and per-cell timings.
/// </summary>
public static class SweepManifest
{
    public const string FileName = RunManifest.FileName;

    /// <summary>The body of a sweep's manifest (what follows the head).</summary>
    public static JsonObject Body(SweepSpec spec, ShardSpec shard, int cellsTotal, int cellsInRun) => new()
    {
        ["spec"] = JsonNode.Parse(spec.ToJson()),
        ["seed"] = spec.Seed,
        ["shard"] = new JsonObject { ["index"] = shard.Index, ["count"] = shard.Count },
        ["cells_total"] = cellsTotal,
        ["cells_in_run"] = cellsInRun,
        ["sampler"] = "exact",
    };

    public static JsonObject Read(string dir) => RunManifest.Read(dir, "a sweep directory");

    public static SweepSpec SpecOf(JsonObject manifest, string dir)
    {
        var node = manifest["spec"] ?? throw new SpecException($"{dir}/{FileName} has no spec");
        var spec = node.Deserialize<SweepSpec>(SweepSpec.Json) ?? throw new SpecException($"{dir}/{FileName} has an empty spec");
        using var doc = JsonDocument.Parse(node.ToJsonString());
        return spec.WithLegacyGenerator(doc.RootElement);
    }

    public static ShardSpec ShardOf(JsonObject manifest)
    {
        var s = manifest["shard"];
        return s is null ? ShardSpec.Whole : new ShardSpec((int)s["index"]!, (int)s["count"]!);
    }
}
