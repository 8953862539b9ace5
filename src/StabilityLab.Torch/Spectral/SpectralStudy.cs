using System.Diagnostics;
using System.Globalization;
using System.Text;
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
/// manifest.json after every cell; with Raw also spectra_trials.csv, with Svd singular_values.csv.
/// </summary>
public static class SpectralStudy
{
    public const string TrialsFile = SpectralTrialTables.TrialsFile, SingularValuesFile = SpectralTrialTables.SingularValuesFile, ManifestFile = RunManifest.FileName;

    /// <summary>Trials the study samples: the total of the progress callback of <see cref="Run"/>.</summary>
    public static long Work(SpectralStudySpec spec) => (long)spec.Cells.Count * spec.Trials;

    /// <param name="spec">The cells and settings.</param>
    /// <param name="outDir">Output directory.</param>
    /// <param name="threads">libtorch threads (null: leave the runtime's setting).</param>
    /// <param name="progress">Trials done.</param>
    /// <param name="log">A line describing the study, and warnings (networks that died).</param>
    public static SpectralStudyResult Run(SpectralStudySpec spec, string outDir, int? threads = null, Action<long>? progress = null, Action<string>? log = null)
    {
        spec.Validate();
        if (threads is int n) TorchRuntime.SetThreads(n);
        Directory.CreateDirectory(outDir);
        var head = RunManifest.Start("spectrum", spec.CommandLine);
        var results = new List<SpectralCell>();
        var timings = new JsonArray();
        var pairSamples = new JsonObject();
        var batchSizes = new JsonObject();
        log?.Invoke($"spectrum: {spec.Cells.Count} cell(s) × {spec.Trials} trials, width {spec.Cells[0].Width}, pairs {spec.Pairs}, "
            + $"inputs {spec.Inputs} ({(spec.Gram == GramPath.None ? "none" : spec.Gram.ToString().ToLowerInvariant())}), device {TorchRuntime.DefaultDevice}, {get_num_threads()} thread(s)");
        head.Write(outDir, ManifestBody(spec, pairSamples, batchSizes, timings));
        try
        {
            Sample(spec, outDir, progress, log, head, results, timings, pairSamples, batchSizes);
        }
        catch (Exception e) when (e is OperationCanceledException or SpecException or InvalidOperationException)
        {
            head.End(RunManifest.StatusFor(e)).TryWrite(outDir, ManifestBody(spec, pairSamples, batchSizes, timings));
            throw;
        }
        var end = head.End(RunStatus.Complete);
        end.Write(outDir, ManifestBody(spec, pairSamples, batchSizes, timings));
        return new SpectralStudyResult(Path.GetFullPath(outDir), results, (end.Finished!.Value - head.Started).TotalSeconds);
    }

    private static void Sample(SpectralStudySpec run, string outDir, Action<long>? progress, Action<string>? log, RunManifest head,
        List<SpectralCell> results, JsonArray timings, JsonObject pairSamples, JsonObject batchSizes)
    {
        var trialRows = new StringBuilder();
        var svRows = new StringBuilder();
        foreach (var spec in run.Cells)
        {
            var clock = Stopwatch.StartNew();
            var sampler = new SpectralSampler(spec, run.Options);
            var pairs = sampler.Pairs(run.Seed);
            string key = spec.Depth.ToString(CultureInfo.InvariantCulture);
            if (!run.Pairs.IsComplete(spec.Depth) && !pairSamples.ContainsKey(key))
                pairSamples[key] = new JsonArray(pairs.Select(q => (JsonNode?)q.ToString()).ToArray());
            batchSizes[key] = sampler.BatchSize;
            var trials = sampler.Sample(run.Seed, run.Trials, k => progress?.Invoke(k));
            double secs = clock.Elapsed.TotalSeconds;
            var cell = SpectralCell.Summarize(spec, run.Seed, trials, run.Pairs, pairs.Length, run.GramInputs?.Count ?? 0,
                run.Gram.ToString().ToLowerInvariant(), secs);
            results.Add(cell);
            if (cell.DeadTrials > 0)
                log?.Invoke($"spectrum: warning: {cell.DeadTrials} of {trials.Length} networks died (a layer became exactly zero) at depth {spec.Depth}, τ = {spec.Tau}; they are left out of the statistics");
            timings.Add(new JsonObject { ["depth"] = spec.Depth, ["tau_rule"] = spec.Tau.ToString(), ["seconds"] = secs, ["trials"] = trials.Length });
            if (run.Raw) trialRows.Append(SpectralTrialTables.TrialRows(spec, trials));
            if (run.Svd) svRows.Append(SpectralTrialTables.SingularValueRows(spec, trials));
            AtomicFile.WriteAllText(Path.Combine(outDir, SpectraTable.FileName), SpectraTable.Write(results));
            if (run.Raw) AtomicFile.WriteAllText(Path.Combine(outDir, TrialsFile), string.Join(",", SpectralTrialTables.TrialColumns) + "\n" + trialRows);
            if (run.Svd) AtomicFile.WriteAllText(Path.Combine(outDir, SingularValuesFile), string.Join(",", SpectralTrialTables.SingularValueColumns) + "\n" + svRows);
            head.Write(outDir, ManifestBody(run, pairSamples, batchSizes, timings));
        }
    }

    /// <summary>What the spectral study adds to the <see cref="RunManifest"/> head.</summary>
    private static JsonObject ManifestBody(SpectralStudySpec run, JsonObject pairSamples, JsonObject batchSizes, JsonArray timings)
    {
        var s = run.Cells[0];
        return new JsonObject
        {
            ["spec"] = new JsonObject
            {
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
