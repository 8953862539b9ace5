using System.Globalization;
using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Tables;

namespace StabilityLab.Sweeps;

/// <summary>
/// Combines the shards of one sweep into the directory an unsharded run would have written:
/// refuses shards of different specs, overlapping or missing shards, and unfinished shards.
/// cells.csv, traces.csv and raw.csv equal the unsharded run's bit for bit.
/// </summary>
public static class SweepMerger
{
    public static int Merge(IReadOnlyList<string> shardDirs, string outDir)
    {
        if (shardDirs.Count == 0) throw new SpecException("merge needs at least one shard directory");
        var shards = new List<(string Dir, JsonObject Manifest, ShardSpec Shard)>();
        SweepSpec? spec = null;
        string? specJson = null;
        foreach (var d in shardDirs)
        {
            var dir = Path.GetFullPath(d);
            var m = SweepManifest.Read(dir);
            if (RunManifest.StatusOf(m) != RunStatus.Complete) throw new SpecException($"shard {dir} is not complete (status {(string?)m["status"]}); finish it with --resume first");
            var s = SweepManifest.SpecOf(m, dir);
            var json = s.ToJson();
            if (specJson is null) { spec = s; specJson = json; }
            else if (json != specJson) throw new SpecException($"shard {dir} was run with a different spec than {shards[0].Dir}");
            shards.Add((dir, m, SweepManifest.ShardOf(m)));
        }
        int n = shards[0].Shard.Count;
        foreach (var s in shards)
            if (s.Shard.Count != n) throw new SpecException($"shard {s.Dir} is {s.Shard} but {shards[0].Dir} is {shards[0].Shard}: different shard counts");
        foreach (var dup in shards.GroupBy(s => s.Shard.Index).Where(g => g.Count() > 1))
            throw new SpecException($"overlapping shards: {dup.Key}/{n} appears {dup.Count()} times ({string.Join(", ", dup.Select(s => s.Dir))})");
        var missing = Enumerable.Range(0, n).Except(shards.Select(s => s.Shard.Index)).ToList();
        if (missing.Count > 0) throw new SpecException($"missing shard(s): {string.Join(", ", missing.Select(i => $"{i}/{n}"))}");

        var cells = spec!.Cells();
        var byIndex = shards.OrderBy(s => s.Shard.Index).ToArray();
        var rows = byIndex.Select(s => ReadBody(Path.Combine(s.Dir, SweepRunner.CellsFile), CellsTable.Header())).ToArray();
        for (int i = 0; i < n; i++)
        {
            int expected = cells.Count(c => c.Index % n == i);
            if (rows[i].Count != expected) throw new SpecException($"shard {byIndex[i].Dir} has {rows[i].Count} cells, expected {expected}");
            CheckShard(byIndex[i].Dir, spec, cells.Where(c => c.Index % n == i).ToList());
        }
        var dirOut = Path.GetFullPath(outDir);
        if (Directory.Exists(dirOut) && Directory.EnumerateFileSystemEntries(dirOut).Any())
            throw new SpecException($"output directory {dirOut} is not empty; choose another --out");
        Directory.CreateDirectory(dirOut);
        var merged = cells.Select(c => rows[c.Index % n][c.Index / n]);
        AtomicFile.WriteAllText(Path.Combine(dirOut, SweepRunner.CellsFile), CellsTable.Header() + "\n" + string.Concat(merged.Select(r => r + "\n")));
        if (spec.TraceDepths.Count > 0) MergeByCell(byIndex.Select(s => s.Dir), SweepRunner.TracesFile, TracesTable.Header, dirOut);
        if (spec.Raw) MergeByCell(byIndex.Select(s => s.Dir), SweepRunner.RawFile, RawTable.Header, dirOut);

        var body = SweepManifest.Body(spec, ShardSpec.Whole, cells.Count, cells.Count);
        body["merged_from"] = new JsonArray(byIndex.Select(s => (JsonNode)JsonValue.Create(s.Dir)!).ToArray());
        body["cells"] = new JsonArray(byIndex.SelectMany(s => s.Manifest["cells"]?.AsArray() ?? [])
            .Select(c => c!.DeepClone()).OrderBy(c => (int)c!["index"]!).ToArray());
        var manifest = RunManifest.Start("sweep").End(RunStatus.Complete).ToJson(body);
        // The merged sweep ran from the first shard's start to the last shard's end.
        manifest["started"] = byIndex.Select(s => RunManifest.StartedOf(s.Manifest)).Min();
        manifest["finished"] = byIndex.Select(s => RunManifest.FinishedOf(s.Manifest)).Max();
        RunManifest.WriteJson(Path.Combine(dirOut, SweepManifest.FileName), manifest);
        return cells.Count;
    }

    /// <summary>
    /// Reads a shard's files with the checking readers (NaN, ±∞, out-of-range values, missing or repeated rows throw
    /// <see cref="SpecException"/> naming the file and line) and checks that its cells.csv rows are its cells, in order.
    /// </summary>
    private static void CheckShard(string dir, SweepSpec spec, IReadOnlyList<SweepCell> mine)
    {
        var path = Path.Combine(dir, SweepRunner.CellsFile);
        var rows = CellsTable.Read(path);
        for (int k = 0; k < mine.Count; k++)
        {
            var (want, got) = (mine[k].Spec, rows[k]);
            if (got.Block != want.Block || got.Width != want.Width || got.Depth != want.Depth || got.Rule.ToString() != want.Tau.ToString())
                throw new SpecException($"{path} line {k + 2}: holds {got.Block.Name()} width {got.Width} depth {got.Depth} τ {got.Rule}, expected cell {mine[k].Index} ({want.Block.Name()} width {want.Width} depth {want.Depth} τ {want.Tau})");
        }
        if (spec.TraceDepths.Count > 0)
        {
            var traced = mine.Where(c => spec.TraceDepths.Contains(c.Spec.Depth)).Select(c => c.Index).ToHashSet();
            var tracesPath = Path.Combine(dir, SweepRunner.TracesFile);
            var bad = TracesTable.Read(tracesPath).Select(r => r.Cell).FirstOrDefault(c => !traced.Contains(c), -1);
            if (bad >= 0) throw new SpecException($"{tracesPath}: cell {bad} is not a traced cell of this shard");
        }
        if (spec.Raw) RawTable.Check(CsvTable.Read(Path.Combine(dir, SweepRunner.RawFile)), mine.Select(c => c.Index).ToHashSet(), spec.Trials);
    }

    /// <summary>Rows of a per-cell file (first column = cell index) from every shard, in cell order.</summary>
    private static void MergeByCell(IEnumerable<string> dirs, string file, string header, string outDir)
    {
        var all = dirs.SelectMany(d => ReadBody(Path.Combine(d, file), header))
            .Select((row, i) => (Cell: int.Parse(row[..row.IndexOf(',')], CultureInfo.InvariantCulture), Order: i, Row: row))
            .OrderBy(r => r.Cell).ThenBy(r => r.Order);
        AtomicFile.WriteAllText(Path.Combine(outDir, file), header + "\n" + string.Concat(all.Select(r => r.Row + "\n")));
    }

    private static List<string> ReadBody(string path, string header)
    {
        if (!File.Exists(path)) throw new SpecException($"missing {path}");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != header) throw new SpecException($"{path} does not have the expected header");
        return lines.Skip(1).Where(l => l.Length > 0).ToList();
    }
}
