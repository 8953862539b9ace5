using System.CommandLine;
using System.Runtime.InteropServices;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Spectral;

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
    private const string TrialsFile = SpectralStudy.TrialsFile;
    private const int MaxSvdWidth = SpectralStudySpec.MaxSvdWidth;

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
        var maxMemory = MaxMemoryOption.Create(MaxMemoryOption.Refuses);
        var memory = new Option<int>("--memory-mib") { Description = "memory for one batch of networks (sets the batch size)", DefaultValueFactory = _ => 1024 }.AtLeast(16);
        var outDir = OutputOptions.Directory("output directory (spectra.csv, manifest.json)", required: true);
        var resume = OutputOptions.Resume("keep the cells already in --out's spectra.csv and compute only the missing ones");

        var cmd = new Command("spectrum",
            "Operator norms of block products ‖D_b(I+τW_b)···D_a(I+τW_a)‖₂ and Gram/NTK least eigenvalues at initialization, over depths × τ rules. "
            + "spectra.csv: one row per (width, depth, τ rule) cell with mean, sd, 95% interval of the mean (lo, hi) and 5/50/95% quantiles over trials "
            + "of log ‖·‖₂² (natural log, squared norm) for the whole product (whole_*) and the largest pair (maxpair_*), and of log λ_min of the Gram "
            + "matrix and NTK (gram_*, ntk_*); empty fields are not measured.");
        foreach (var o in new Option[] { block, activation, weights, width, depth, tau, trials, seed, inputs, gram, pairs, tolerance, maxSteps, svd, raw, inputDim, outputDim, threads, device, memory, maxMemory, outDir, resume })
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
            var cells = SpectralStudySpec.Grid(m, depths, rules, blockKind, act, law, p, d);
            var spec = new SpectralStudySpec(cells, depths, rules, n, r.GetValue(seed), nInputs, nInputs > 0 ? path : GramPath.None, pairSel,
                r.GetValue(tolerance), r.GetValue(maxSteps), wantSvd, r.GetValue(raw), (long)mib << 20,
                "stabilitylab " + string.Join(" ", r.Tokens.Select(t => t.Value)));
            spec.Validate();
            string dir = r.GetValue(outDir)!;
            SpectralStudyResult result;
            // Ctrl-C or SIGTERM stops at the next batch of networks: finished cells stay in the files, the manifest says
            // interrupted, and --resume computes the rest (exit 130 or 143, as sweep and train do).
            PosixSignal? stop = null;
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop ??= PosixSignal.SIGTERM; });
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop ??= PosixSignal.SIGINT; });
            try
            {
                using var progress = new ProgressReporter(io, "spectrum (trials)", SpectralStudy.Work(spec));
                result = SpectralStudy.Run(spec, dir, ThreadsOption.Resolve(th), k =>
                {
                    if (stop is not null) throw new OperationCanceledException();
                    progress.Advance(k);
                }, io.Err.WriteLine, r.GetValue(resume), MaxMemoryOption.Resolve(r.GetValue(maxMemory)));
            }
            catch (OperationCanceledException) when (stop is not null)
            {
                io.Err.WriteLine($"spectrum: interrupted; finished cells are kept in {Path.GetFullPath(dir)}, and --resume computes the rest");
                return StabilityLab.Sweeps.StabilityStudyResult.ExitCodeOf(stop.Value);
            }
            foreach (var line in result.Table()) io.Out.WriteLine(line);
            io.Err.WriteLine(result.Report);
            return CliApp.ExitOk;
        });
        return cmd;
    }

    private static GramPath ParseGram(string text) => text.Trim().ToLowerInvariant() switch
    {
        "dense" => GramPath.Dense,
        "exact" => GramPath.Exact,
        var g => throw new SpecException($"unknown --gram '{g}' (expected dense or exact)"),
    };
}
