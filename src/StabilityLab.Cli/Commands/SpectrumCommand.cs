using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Spectral;
using StabilityLab.Sweeps;
using StabilityLab.Torch;
using StabilityLab.Torch.Spectral;
using static TorchSharp.torch;

namespace StabilityLab.Cli.Commands;

/// <summary>
/// `stabilitylab spectrum`: spectral diagnostics at initialization (docs/science.md §2 claims 1 and 4) over depths × τ rules,
/// on materialized float64 networks (TorchSharp): operator norms of block products ‖J_b···J_a‖₂ (whole product and the
/// largest pair), and the Gram matrix / NTK least eigenvalues for n inputs.
/// Output (--out DIR): spectra.csv with ONE ROW PER CELL (width, depth, τ rule) holding mean, sd, 95% interval of the
/// mean and 5/50/95% quantiles over the trials of log ‖·‖₂² (natural log of the squared operator norm) and of
/// log λ_min (columns: <see cref="SpectraTable"/>); manifest.json (spec, seed, pair samples, version, git commit,
/// machine, times); with --raw also spectra_trials.csv (one row per trial); with --svd singular_values.csv
/// (log σ_i² of the whole product, per trial).
/// </summary>
public static class SpectrumCommand
{
    public const string TrialsFile = SpectralTrialTables.TrialsFile, SingularValuesFile = SpectralTrialTables.SingularValuesFile, ManifestFile = RunManifest.FileName;

    /// <summary>The largest width for which --svd is accepted (torch.linalg.svdvals of an m × m product per trial).</summary>
    public const int MaxSvdWidth = 1024;

    public static Command Build(CliIo io)
    {
        var block = ModelOptions.Block();
        var activation = ModelOptions.Activation();
        var weights = ModelOptions.Weights();
        var width = ModelOptions.Width(128);
        var depth = GridOptions.Depths("4..64x2", "depths: a list (4,16,64) or geometric range (4..256x2)");
        var tau = GridOptions.Taus(["1/sqrt(L)", "L^-0.25"], "τ rule (repeatable), e.g. 1/sqrt(L), L^-0.25, 1, 1/L");
        var trials = SamplingOptions.Trials(16);
        var seed = SeedOption.Create("master seed (weights, inputs and the pair sample)");
        var inputs = new Option<int>("--inputs") { Description = "n inputs (uniform on the unit sphere) for the Gram matrix and NTK; 0 for none", DefaultValueFactory = _ => 8 }.AtLeast(0);
        var gram = new Option<string>("--gram") { Description = "Gram matrix path: dense (same networks, NTK too) or exact (O(L m n²) sampler of docs/science.md §4, no NTK)", DefaultValueFactory = _ => "dense" }
            .Parses(ParseGram);
        var pairs = new Option<string>("--pairs") { Description = "block pairs (a,b): auto (all for L ≤ 64, else 64 random), all, or N random pairs; (1,L) always", DefaultValueFactory = _ => "auto" }
            .Parses(PairSelection.Parse);
        var tolerance = new Option<double>("--tolerance") { Description = "convergence: relative change of a norm estimate below this", DefaultValueFactory = _ => OperatorNorm.DefaultTolerance };
        var maxSteps = new Option<int>("--max-steps") { Description = "Lanczos step limit per norm (non-converged norms are counted)", DefaultValueFactory = _ => OperatorNorm.DefaultMaxSteps };
        var svd = new Option<bool>("--svd") { Description = $"also every singular value of the whole product (singular_values.csv; m ≤ {MaxSvdWidth})" };
        var raw = new Option<bool>("--raw") { Description = $"also one row per trial ({TrialsFile})" };
        var inputDim = ModelOptions.InputDim();
        var outputDim = ModelOptions.OutputDim("output dimension d (the NTK uses the first output)");
        var threads = ThreadsOption.Create("libtorch threads (0 = all cores)");
        var device = DeviceOption.Create();
        var memory = new Option<int>("--memory-mib") { Description = "memory for one batch of networks (sets the batch size)", DefaultValueFactory = _ => 1024 }.AtLeast(16);
        var outDir = OutputOptions.Directory("output directory (spectra.csv, manifest.json)", required: true);

        var cmd = new Command("spectrum",
            "Operator norms of block products ‖D_b(I+τW_b)···D_a(I+τW_a)‖₂ and Gram/NTK least eigenvalues at initialization, over depths × τ rules. "
            + "spectra.csv: one row per (width, depth, τ rule) cell with mean, sd, 95% interval of the mean (lo, hi) and 5/50/95% quantiles over trials "
            + "of log ‖·‖₂² (natural log, squared norm) for the whole product (whole_*) and the largest pair (maxpair_*), and of log λ_min of the Gram "
            + "matrix and NTK (gram_*, ntk_*); empty fields are not measured.");
        foreach (var o in new Option[] { block, activation, weights, width, depth, tau, trials, seed, inputs, gram, pairs, tolerance, maxSteps, svd, raw, inputDim, outputDim, threads, device, memory, outDir })
            cmd.Options.Add(o);
        GridOptions.CheckTaus(cmd, tau, depth);
        cmd.Require(c => c.Value(svd) && c.Value(width) > MaxSvdWidth ? $"--svd needs width ≤ {MaxSvdWidth} (got {c.Value(width)})" : null);
        cmd.SetAction(r =>
        {
            DeviceOption.Use(r.GetValue(device)!);
            int m = r.GetValue(width);
            var depths = GridOptions.Integers(r.GetValue(depth)!, "depth").Distinct().ToArray();
            var rules = r.GetValue(tau)!.Select(TauRule.Parse).Distinct().ToArray();
            if (rules.Length == 0) throw new SpecException("give at least one --tau rule");
            int n = r.GetValue(trials);
            int nInputs = r.GetValue(inputs);
            var path = ParseGram(r.GetValue(gram)!);
            int th = r.GetValue(threads);
            int mib = r.GetValue(memory);
            bool wantSvd = r.GetValue(svd);
            var pairSel = PairSelection.Parse(r.GetValue(pairs)!);
            var blockKind = ModelNames.ParseBlock(r.GetValue(block)!);
            var act = ModelNames.ParseActivation(r.GetValue(activation)!);
            var law = ModelNames.ParseWeightLaw(r.GetValue(weights)!);
            int p = r.GetValue(inputDim), d = r.GetValue(outputDim);
            // Every cell's spec is built (and validated) before any work starts, so bad input fails fast.
            var cells = depths.SelectMany(L => rules.Select(rule => new NetworkSpec(m, L, rule, blockKind, act, law, p, d))).ToList();
            var run = new SpectrumRun(cells, depths, rules, n, r.GetValue(seed), nInputs, nInputs > 0 ? path : GramPath.None, pairSel,
                r.GetValue(tolerance), r.GetValue(maxSteps), wantSvd, r.GetValue(raw), (long)mib << 20,
                "stabilitylab " + string.Join(" ", r.Tokens.Select(t => t.Value)));
            run.Validate();
            TorchRuntime.SetThreads(ThreadsOption.Resolve(th));
            return Run(run, r.GetValue(outDir)!, io);
        });
        return cmd;
    }

    private static GramPath ParseGram(string text) => text.Trim().ToLowerInvariant() switch
    {
        "dense" => GramPath.Dense,
        "exact" => GramPath.Exact,
        var g => throw new SpecException($"unknown --gram '{g}' (expected dense or exact)"),
    };

    private sealed record SpectrumRun(
        List<NetworkSpec> Cells, int[] Depths, TauRule[] Rules, int Trials, ulong Seed, int Inputs, GramPath Gram, PairSelection Pairs,
        double Tolerance, int MaxSteps, bool Svd, bool Raw, long MemoryBytes, string CommandLine)
    {
        public GramInputs? GramInputs { get; } = Inputs > 0 && Gram != GramPath.None ? GramInputs.RandomSphere(Seed, Inputs, Cells[0].InputDim) : null;

        public SpectralOptions Options => new()
        {
            Pairs = Pairs,
            Tolerance = Tolerance,
            MaxSteps = MaxSteps,
            Inputs = GramInputs,
            Gram = Gram,
            Ntk = Gram == GramPath.Dense,
            SingularValues = Svd,
            MemoryBudgetBytes = MemoryBytes,
        };

        public void Validate()
        {
            foreach (var c in Cells) Options.Validate(c);
        }
    }

    private static int Run(SpectrumRun run, string outDir, CliIo io)
    {
        Directory.CreateDirectory(outDir);
        var head = RunManifest.Start("spectrum", run.CommandLine);
        var results = new List<SpectralCell>();
        var timings = new JsonArray();
        var pairSamples = new JsonObject();
        var batchSizes = new JsonObject();
        io.Err.WriteLine($"spectrum: {run.Cells.Count} cell(s) × {run.Trials} trials, width {run.Cells[0].Width}, pairs {run.Pairs}, "
            + $"inputs {run.Inputs} ({(run.Gram == GramPath.None ? "none" : run.Gram.ToString().ToLowerInvariant())}), device {TorchRuntime.DefaultDevice}, {get_num_threads()} thread(s)");
        head.Write(outDir, ManifestBody(run, pairSamples, batchSizes, timings));
        try
        {
            Sample(run, outDir, io, head, results, timings, pairSamples, batchSizes);
        }
        catch (Exception e) when (e is OperationCanceledException or SpecException or InvalidOperationException)
        {
            head.End(RunManifest.StatusFor(e)).TryWrite(outDir, ManifestBody(run, pairSamples, batchSizes, timings));
            throw;
        }
        var end = head.End(RunStatus.Complete);
        end.Write(outDir, ManifestBody(run, pairSamples, batchSizes, timings));
        Print(results, io);
        io.Err.WriteLine($"spectrum: {results.Count} cell(s) in {(end.Finished!.Value - head.Started).TotalSeconds:F1} s → {Path.GetFullPath(outDir)}");
        return CliApp.ExitOk;
    }

    private static void Sample(SpectrumRun run, string outDir, CliIo io, RunManifest head, List<SpectralCell> results, JsonArray timings,
        JsonObject pairSamples, JsonObject batchSizes)
    {
        var trialRows = new StringBuilder();
        var svRows = new StringBuilder();
        using (var progress = new ProgressReporter(io, "spectrum (trials)", (long)run.Cells.Count * run.Trials))
        {
            foreach (var spec in run.Cells)
            {
                var clock = Stopwatch.StartNew();
                var sampler = new SpectralSampler(spec, run.Options);
                var pairs = sampler.Pairs(run.Seed);
                string key = spec.Depth.ToString(CultureInfo.InvariantCulture);
                if (!run.Pairs.IsComplete(spec.Depth) && !pairSamples.ContainsKey(key))
                    pairSamples[key] = new JsonArray(pairs.Select(q => (JsonNode?)q.ToString()).ToArray());
                batchSizes[key] = sampler.BatchSize;
                var trials = sampler.Sample(run.Seed, run.Trials, k => progress.Advance(k));
                double secs = clock.Elapsed.TotalSeconds;
                var cell = SpectralCell.Summarize(spec, run.Seed, trials, run.Pairs, pairs.Length, run.GramInputs?.Count ?? 0,
                    run.Gram.ToString().ToLowerInvariant(), secs);
                results.Add(cell);
                if (cell.DeadTrials > 0)
                    io.Err.WriteLine($"spectrum: warning: {cell.DeadTrials} of {trials.Length} networks died (a layer became exactly zero) at depth {spec.Depth}, τ = {spec.Tau}; they are left out of the statistics");
                timings.Add(new JsonObject { ["depth"] = spec.Depth, ["tau_rule"] = spec.Tau.ToString(), ["seconds"] = secs, ["trials"] = trials.Length });
                if (run.Raw) trialRows.Append(SpectralTrialTables.TrialRows(spec, trials));
                if (run.Svd) svRows.Append(SpectralTrialTables.SingularValueRows(spec, trials));
                AtomicFile.WriteAllText(Path.Combine(outDir, SpectraTable.FileName), SpectraTable.Write(results));
                if (run.Raw) AtomicFile.WriteAllText(Path.Combine(outDir, TrialsFile), string.Join(",", SpectralTrialTables.TrialColumns) + "\n" + trialRows);
                if (run.Svd) AtomicFile.WriteAllText(Path.Combine(outDir, SingularValuesFile), string.Join(",", SpectralTrialTables.SingularValueColumns) + "\n" + svRows);
                head.Write(outDir, ManifestBody(run, pairSamples, batchSizes, timings));
            }
        }
    }

    private static void Print(IReadOnlyList<SpectralCell> cells, CliIo io)
    {
        string G(double? v, string fmt = "G4") => v is double x && double.IsFinite(x) ? x.ToString(fmt, CultureInfo.InvariantCulture) : "—";
        // Norms printed as ‖·‖₂ (not squared, not logged) for reading; the files keep log ‖·‖₂².
        double? Norm(double? logSq) => logSq is double v ? Math.Exp(v / 2) : null;
        io.Out.WriteLine($"{"depth",6} {"tau_rule",-12} {"trials",6} {"‖J_L···J_1‖₂ median [5%, 95%]",34} {"max pair ‖·‖₂ median",21} {"pairs",6} {"not conv",8} {"log λmin(G) med",16} {"log λmin(K) med",16} {"s",7}");
        foreach (var c in cells)
        {
            string whole = c.Whole is { } w ? $"{G(Norm(w.Q50))} [{G(Norm(w.Q05))}, {G(Norm(w.Q95))}]" : "—";
            io.Out.WriteLine($"{c.Spec.Depth,6} {c.Spec.Tau,-12} {c.Trials,6} {whole,34} {G(Norm(c.MaxPair?.Q50)),21} {c.PairsPerTrial,6} {c.NormsNotConverged,8} "
                + $"{G(c.GramLogMinEig?.Q50),16} {G(c.NtkLogMinEig?.Q50),16} {G(c.Seconds, "F1"),7}");
        }
    }

    /// <summary>What the spectrum command adds to the <see cref="RunManifest"/> head.</summary>
    private static JsonObject ManifestBody(SpectrumRun run, JsonObject pairSamples, JsonObject batchSizes, JsonArray timings)
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
