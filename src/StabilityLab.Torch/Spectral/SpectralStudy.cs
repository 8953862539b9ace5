using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Spectral;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Spectral;

/// <summary>
/// The spectral study (docs/science.md §2 claims 1 and 4) over depths × τ rules, on materialized float64 networks:
/// operator norms of block products ‖J_b···J_a‖₂ (whole product and the largest pair), and the Gram matrix / NTK
/// least eigenvalues for n inputs. Writes spectra.csv (one row per cell, columns: <see cref="SpectraTable"/>) and
/// manifest.json after every cell; with Raw also spectra_trials.csv, with Svd singular_values.csv. Every file is
/// replaced atomically, so a killed study loses at most the cell in progress, and with resume the cells already in
/// spectra.csv are kept: the files come out as the same bytes as a straight run's (each cell's trials are a function
/// of the seed and the cell only, see <see cref="SpectralSampler"/>).
/// </summary>
public static class SpectralStudy
{
    public const string TrialsFile = SpectralTrialTables.TrialsFile, SingularValuesFile = SpectralTrialTables.SingularValuesFile, ManifestFile = RunManifest.FileName;

    /// <summary>Trials the study samples: the total of the progress callback of <see cref="Run"/>.</summary>
    public static long Work(SpectralStudySpec spec) => (long)spec.Cells.Count * spec.Trials;

    /// <param name="spec">The cells and settings.</param>
    /// <param name="outDir">Output directory: new or empty, or with <paramref name="resume"/> a spectral study of the same spec.</param>
    /// <param name="threads">libtorch threads (null: leave the runtime's setting).</param>
    /// <param name="progress">Trials done (kept cells count as done at once); may throw <see cref="OperationCanceledException"/>
    /// to stop the study, which leaves its manifest interrupted and its finished cells for --resume.</param>
    /// <param name="log">A line describing the study, and warnings (networks that died).</param>
    /// <param name="resume">Keep the cells already in the directory's spectra.csv and compute the rest.</param>
    /// <param name="availableMemory">The memory to plan with (null: the machine's available memory); a batch that does not fit is refused.</param>
    public static SpectralStudyResult Run(SpectralStudySpec spec, string outDir, int? threads = null, Action<long>? progress = null, Action<string>? log = null,
        bool resume = false, long? availableMemory = null)
    {
        spec.Validate();
        // Before the directory is touched: a cell that cannot fit leaves nothing behind.
        spec.Cells.Select(c => new SpectralSampler(c, spec.Options).Memory).MaxBy(x => x.Bytes)!.Check(availableMemory);
        if (threads is int n) TorchRuntime.SetThreads(n);
        var dir = Path.GetFullPath(outDir);
        using var hold = OutputLock.Take(dir); // one writer at a time, for the whole study
        // What a study to resume must have been run with: the same cells and settings, seed and device.
        var body = ManifestBody(spec, new JsonObject(), new JsonObject(), new JsonArray());
        var identity = new JsonObject { ["spec"] = body["spec"]!.DeepClone(), ["seed"] = body["seed"]!.DeepClone(), ["device"] = body["device"]!.DeepClone() };
        var kept = SpectralStudyFiles.Finished(dir, spec, identity, resume);
        var cellSeconds = spec.Cells.Select(c => kept.TryGetValue(SpectralStudyFiles.Key(c), out var k) ? k.Seconds : double.NaN).ToArray();
        if (resume && kept.Count == spec.Cells.Count && RunManifest.StatusOf(RunManifest.Read(dir)) == RunStatus.Complete)
        {
            // A finished study is left as it is.
            progress?.Invoke(Work(spec));
            log?.Invoke($"spectrum: already complete ({kept.Count} cells); nothing to do → {dir}");
            return new SpectralStudyResult(dir, [], 0, kept.Count, cellSeconds);
        }
        var head = RunManifest.Start("spectrum", spec.CommandLine);
        var files = kept.ToDictionary(k => k.Key, k => k.Value.Files);
        var results = new List<SpectralCell>();
        var timings = new JsonArray();
        var pairSamples = new JsonObject();
        var batchSizes = new JsonObject();
        log?.Invoke($"spectrum: {spec.Cells.Count} cell(s) × {spec.Trials} trials{(kept.Count > 0 ? $" ({kept.Count} kept from before)" : "")}, width {spec.Cells[0].Width}, pairs {spec.Pairs}, "
            + $"inputs {spec.Inputs} ({(spec.Gram == GramPath.None ? "none" : spec.Gram.ToString().ToLowerInvariant())}), device {TorchRuntime.DefaultDevice}, {get_num_threads()} thread(s)");
        head.Write(dir, ManifestBody(spec, pairSamples, batchSizes, timings));
        try
        {
            Sample(spec, dir, progress, log, head, files, cellSeconds, results, timings, pairSamples, batchSizes);
        }
        catch (Exception e) when (e is OperationCanceledException or SpecException or InvalidOperationException)
        {
            // The finished cells stay in the files: --resume computes the rest.
            head.End(RunManifest.StatusFor(e)).TryWrite(dir, ManifestBody(spec, pairSamples, batchSizes, timings));
            throw;
        }
        var end = head.End(RunStatus.Complete);
        end.Write(dir, ManifestBody(spec, pairSamples, batchSizes, timings));
        return new SpectralStudyResult(dir, results, (end.Finished!.Value - head.Started).TotalSeconds, kept.Count, cellSeconds);
    }

    private static void Sample(SpectralStudySpec run, string dir, Action<long>? progress, Action<string>? log, RunManifest head,
        Dictionary<string, SpectralCellFiles> files, double[] cellSeconds, List<SpectralCell> results, JsonArray timings, JsonObject pairSamples, JsonObject batchSizes)
    {
        for (int i = 0; i < run.Cells.Count; i++)
        {
            var spec = run.Cells[i];
            var clock = Stopwatch.StartNew();
            var sampler = new SpectralSampler(spec, run.Options);
            var pairs = sampler.Pairs(run.Seed);
            string key = spec.Depth.ToString(CultureInfo.InvariantCulture);
            if (!run.Pairs.IsComplete(spec.Depth) && !pairSamples.ContainsKey(key))
                pairSamples[key] = new JsonArray(pairs.Select(q => (JsonNode?)q.ToString()).ToArray());
            batchSizes[key] = sampler.BatchSize;
            if (files.ContainsKey(SpectralStudyFiles.Key(spec)))
            {
                progress?.Invoke(run.Trials);
                timings.Add(Timing(spec, cellSeconds[i], run.Trials));
                continue;
            }
            var trials = sampler.Sample(run.Seed, run.Trials, k => progress?.Invoke(k));
            double secs = clock.Elapsed.TotalSeconds;
            var cell = SpectralCell.Summarize(spec, run.Seed, trials, run.Pairs, pairs.Length, run.GramInputs?.Count ?? 0,
                run.Gram.ToString().ToLowerInvariant(), secs);
            results.Add(cell);
            cellSeconds[i] = secs;
            if (cell.DeadTrials > 0)
                log?.Invoke($"spectrum: warning: {cell.DeadTrials} of {trials.Length} networks died (a layer became exactly zero) at depth {spec.Depth}, τ = {spec.Tau}; they are left out of the statistics");
            timings.Add(Timing(spec, secs, trials.Length));
            files[SpectralStudyFiles.Key(spec)] = new SpectralCellFiles(SpectraTable.Row(cell),
                run.Raw ? SpectralTrialTables.TrialRows(spec, trials) : "", run.Svd ? SpectralTrialTables.SingularValueRows(spec, trials) : "");
            SpectralStudyFiles.Write(dir, run, files);
            head.Write(dir, ManifestBody(run, pairSamples, batchSizes, timings));
        }
        // A study whose cells were all kept (its end not recorded) still has its files.
        if (results.Count == 0) SpectralStudyFiles.Write(dir, run, files);
    }

    private static JsonObject Timing(NetworkSpec spec, double seconds, int trials) =>
        new() { ["depth"] = spec.Depth, ["tau_rule"] = spec.Tau.ToString(), ["seconds"] = double.IsFinite(seconds) ? seconds : null, ["trials"] = trials };

    /// <summary>What the spectral study adds to the <see cref="RunManifest"/> head.</summary>
    private static JsonObject ManifestBody(SpectralStudySpec run, JsonObject pairSamples, JsonObject batchSizes, JsonArray timings)
    {
        var s = run.Cells[0];
        return new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["generator"] = Randomness.RandomGenerators.Name(SpectralStudySpec.Generator),
                ["block"] = s.Block.Name(),
                ["activation"] = s.Activation.Name(),
                ["weights"] = s.Weights.Name(),
                ["width"] = s.Width,
                ["depths"] = new JsonArray(run.Depths.Select(d => (JsonNode?)d).ToArray()),
                ["tau_rules"] = new JsonArray(run.Rules.Select(t => (JsonNode?)t.ToString()).ToArray()),
                ["trials"] = run.Trials,
                ["input_dim"] = s.InputDim,
                ["output_dim"] = s.OutputDim,
                ["inputs"] = run.GramInputs?.Count ?? 0,
                ["gram"] = run.Gram.ToString().ToLowerInvariant(),
                ["ntk"] = run.Gram == GramPath.Dense,
                ["pairs"] = run.Pairs.ToString(),
                ["tolerance"] = run.Tolerance,
                ["max_steps"] = run.MaxSteps,
                ["singular_values"] = run.Svd,
                ["memory_mib"] = run.MemoryBytes >> 20,
            },
            ["seed"] = run.Seed,
            ["method"] = "materialized float64 weights (TorchSharp), batched over trials; masks from the forward pass of x = (1/√p)·1; "
                + "block products by a sweep over the product length; σ₁ by Lanczos on PᵀP with full re-orthogonalization, converged when the relative "
                + "change over 4 steps is below the tolerance; inputs uniform on the unit sphere (a function of the seed); statistics over live trials",
            ["pair_samples"] = pairSamples.DeepClone(),
            ["batch_sizes"] = batchSizes.DeepClone(),
            ["device"] = TorchRuntime.DefaultDevice.ToString(),
            ["torch_threads"] = get_num_threads(),
            ["cells"] = timings.DeepClone(),
        };
    }
}
