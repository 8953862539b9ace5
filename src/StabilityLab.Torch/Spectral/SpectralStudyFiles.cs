using System.Globalization;
using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Spectral;
using StabilityLab.Tables;

namespace StabilityLab.Torch.Spectral;

/// <summary>One finished cell's share of the study's files: its spectra.csv row and its rows of the per-trial files.</summary>
internal sealed record SpectralCellFiles(string Row, string TrialRows, string SingularValueRows);

/// <summary>
/// The files of a spectral study, written whole after every cell in grid order (per-trial files first, spectra.csv,
/// the record of what finished, last), and read back for --resume: the cells in spectra.csv are kept, with their
/// per-trial rows, so the resumed files are the same bytes as a straight run's.
/// </summary>
internal static class SpectralStudyFiles
{
    /// <summary>A cell's key in every file: depth and τ rule (the grid's other settings are the study's).</summary>
    internal static string Key(NetworkSpec cell) => Key(cell.Depth.ToString(CultureInfo.InvariantCulture), cell.Tau.ToString());

    private static string Key(string depth, string tauRule) => depth + "\n" + tauRule;

    /// <summary>Writes the study's files from the finished cells, in grid order.</summary>
    internal static void Write(string dir, SpectralStudySpec spec, IReadOnlyDictionary<string, SpectralCellFiles> finished)
    {
        var done = spec.Cells.Select(Key).Where(finished.ContainsKey).Select(k => finished[k]).ToList();
        if (spec.Raw)
            AtomicFile.WriteAllText(Path.Combine(dir, SpectralTrialTables.TrialsFile),
                string.Join(",", SpectralTrialTables.TrialColumns) + "\n" + string.Concat(done.Select(c => c.TrialRows)));
        if (spec.Svd)
            AtomicFile.WriteAllText(Path.Combine(dir, SpectralTrialTables.SingularValuesFile),
                string.Join(",", SpectralTrialTables.SingularValueColumns) + "\n" + string.Concat(done.Select(c => c.SingularValueRows)));
        AtomicFile.WriteAllText(Path.Combine(dir, SpectraTable.FileName), SpectraTable.Header() + "\n" + string.Concat(done.Select(c => c.Row + "\n")));
    }

    /// <summary>
    /// The cells a directory already holds, for a study that starts there. Without resume the directory must hold
    /// nothing (<see cref="OutputDirectory"/>); with resume, nothing or a spectral study whose manifest records this
    /// spec (<paramref name="identity"/>: the manifest's spec, seed and device). Anything else is refused and left alone.
    /// </summary>
    internal static Dictionary<string, (SpectralCellFiles Files, double Seconds)> Finished(string dir, SpectralStudySpec spec, JsonObject identity, bool resume)
    {
        var found = new Dictionary<string, (SpectralCellFiles, double)>();
        if (OutputDirectory.Contents(dir).Count == 0) return found;
        if (!resume)
            throw new SpecException($"output directory {dir} is not empty; pass --resume to continue that spectral study or choose another --out");
        var old = RunManifest.Read(dir, "a spectral study");
        if ((string?)old["command"] != "spectrum")
            throw new SpecException($"{dir} holds no spectral study (its manifest is of '{(string?)old["command"]}'); choose another --out");
        foreach (var (key, value) in identity)
            if (old[key]?.ToJsonString() != value?.ToJsonString())
                throw new SpecException($"--resume: {dir} holds a spectral study with another {key}; resume it with the same settings or choose another --out");
        string trialsPath = Path.Combine(dir, SpectralTrialTables.TrialsFile);
        if (!spec.Raw && File.Exists(trialsPath))
            throw new SpecException($"--resume: {dir} holds a spectral study with --raw; resume it with --raw or choose another --out");
        OutputDirectory.RemoveTemporaryFiles(dir);

        var rows = Rows(Path.Combine(dir, SpectraTable.FileName), SpectraTable.Header(), "depth", "tau_rule");
        var trials = spec.Raw ? Rows(trialsPath, string.Join(",", SpectralTrialTables.TrialColumns), "depth", "tau_rule") : null;
        var singular = spec.Svd ? Rows(Path.Combine(dir, SpectralTrialTables.SingularValuesFile), string.Join(",", SpectralTrialTables.SingularValueColumns), "depth", "tau_rule") : null;
        var seconds = CellSeconds(old);
        foreach (var cell in spec.Cells)
        {
            string key = Key(cell);
            if (!rows.TryGetValue(key, out var row) || row.Count != 1) continue;
            var trialRows = trials?.GetValueOrDefault(key) ?? [];
            // A cell whose per-trial rows are not all there (the files of an older version) is computed again.
            if (spec.Raw && trialRows.Count != spec.Trials) continue;
            var svRows = singular?.GetValueOrDefault(key) ?? [];
            found[key] = (new SpectralCellFiles(row[0], string.Concat(trialRows.Select(l => l + "\n")), string.Concat(svRows.Select(l => l + "\n"))),
                seconds.GetValueOrDefault(key, double.NaN));
        }
        return found;
    }

    /// <summary>The lines of a study file by cell key (the header must be <paramref name="header"/>; damaged lines are left out).</summary>
    private static Dictionary<string, List<string>> Rows(string path, string header, string depthColumn, string tauColumn)
    {
        var result = new Dictionary<string, List<string>>();
        if (!File.Exists(path)) return result;
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != header) return result;
        var names = lines[0].Split(',');
        int depth = Array.IndexOf(names, depthColumn), tau = Array.IndexOf(names, tauColumn);
        foreach (var line in lines.Skip(1))
        {
            string[] f;
            try { f = CsvTable.Fields(line, path); }
            catch (SpecException) { continue; }
            if (f.Length != names.Length) continue;
            string key = Key(f[depth], f[tau]);
            if (!result.TryGetValue(key, out var list)) result[key] = list = [];
            list.Add(line);
        }
        return result;
    }

    /// <summary>The time of each cell as the manifest's cells array records it.</summary>
    private static Dictionary<string, double> CellSeconds(JsonObject manifest)
    {
        var result = new Dictionary<string, double>();
        if (manifest["cells"] is not JsonArray cells) return result;
        foreach (var c in cells.OfType<JsonObject>())
            if (c["depth"] is JsonValue d && d.TryGetValue<int>(out int depth) && (string?)c["tau_rule"] is { } tau
                && c["seconds"] is JsonValue s && s.TryGetValue<double>(out double secs))
                result[Key(depth.ToString(CultureInfo.InvariantCulture), tau)] = secs;
        return result;
    }
}
