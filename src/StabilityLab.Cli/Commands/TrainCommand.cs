using System.Runtime.InteropServices;
using System.CommandLine;
using System.Globalization;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Torch;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Training;

namespace StabilityLab.Cli.Commands;

/// <summary>
/// `stabilitylab train`: trains the paper's network (TorchSharp) over depths × τ rules × seeds × step sizes on
/// synthetic data or Fashion-MNIST, writes curves.csv, runs.csv, fits.json and manifest.json, and prints the
/// linear rate per depth with the depth verdicts (docs/science.md §2 claims 4–5). `stabilitylab train bench` measures
/// the GFLOP/s of one training step against TorchSharp's own matrix multiply.
/// </summary>
public static class TrainCommand
{
    public static Command Build(CliIo io)
    {
        var block = ModelOptions.Block(trained: true);
        var activation = ModelOptions.Activation();
        var weights = ModelOptions.Weights();
        var width = ModelOptions.Width(256);
        var depths = ListOptions.Create("--depth", "depths L (space- or comma-separated)", "4,8,16,32,64,128,256", ParseDepth, "an integer ≥ 1", "-L");
        var taus = ListOptions.Create("--tau", "τ rules, e.g. 1/sqrt(L) 1 1/L", "1/sqrt(L),1", ModelOptions.ParseTau, "a τ rule");
        var seeds = ListOptions.Create("--seed", "seeds (data, initialization and minibatch order)", "1", ParseSeed, "a seed (0 or more)");
        var lrs = ListOptions.Create("--lr", "step sizes η (one run per value)", "0.0001", ParseNumber, "a number");
        var dataset = new Option<string>("--dataset") { Description = "synthetic or fashion-mnist", DefaultValueFactory = _ => "synthetic" };
        var dataPath = new Option<string?>("--data") { Description = $"folder with the Fashion-MNIST IDX files (default {FashionMnist.DefaultDirectory}, from Debian's dataset-fashion-mnist)" };
        var trainSize = new Option<int?>("--train-size", "-n") { Description = "training examples (synthetic: n, default 32; fashion-mnist: the first n of 60000, default 10000)" };
        var testSize = new Option<int?>("--test-size") { Description = "held-out examples (synthetic default 0; fashion-mnist: the first n of 10000, default 10000)" };
        var inputDim = ModelOptions.InputDim(16, "synthetic input dimension p");
        var outputDim = ModelOptions.OutputDim("synthetic output dimension d");
        var targets = new Option<string>("--targets") { Description = "synthetic targets: random (N(0,1)) or teacher (a random network)", DefaultValueFactory = _ => "random" };
        var optimizer = new Option<string>("--optimizer") { Description = "gd (full-batch gradient descent, the theory) or sgd (minibatch, momentum)", DefaultValueFactory = _ => "gd" };
        var backward = new Option<string>("--backward") { Description = "how gd gets its gradient: explicit (each block's backward written out, fused with the update; same dynamics to rounding, faster) or autograd (sgd and post-bn always use autograd)", DefaultValueFactory = _ => "explicit" };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum μ", DefaultValueFactory = _ => 0.9 };
        var batch = new Option<int>("--batch-size") { Description = "SGD minibatch size b", DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--steps") { Description = "parameter updates per run", DefaultValueFactory = _ => 500 };
        var precision = new Option<string>("--precision") { Description = "float32 or float64", DefaultValueFactory = _ => "float64" };
        var trained = new Option<string>("--trainable") { Description = "which weights move: w (W_1..W_L only, the theory) or all (A, W, B)", DefaultValueFactory = _ => "w" };
        var reduction = new Option<string?>("--reduction") { Description = "loss over examples: sum (F = Σ ½‖·‖², the theory; default for gd) or mean (F/n; default for sgd)" };
        var evalEvery = new Option<int?>("--eval-every") { Description = "a curve row every k steps (default 1 for gd, once per epoch for sgd)" };
        var divergence = new Option<double>("--divergence-factor") { Description = "diverged when the loss is not finite or exceeds this × the initial loss", DefaultValueFactory = _ => 1e3 };
        var stopRatio = new Option<double>("--stop-loss-ratio") { Description = "stop a run once loss ≤ this × initial loss (0: never)", DefaultValueFactory = _ => 1e-6 };
        var threads = ThreadsOption.Create("libtorch threads (0 = all cores)");
        var device = DeviceOption.Create();
        var outDir = OutputOptions.Directory("output directory (curves.csv, runs.csv, fits.json, manifest.json)", defaultValue: "train-out");
        var resume = OutputOptions.Resume("keep the finished runs already in --out and train only the missing ones");
        var json = OutputOptions.Json("print fits.json (per-run rates and the depth trends) instead of the table");
        var maxMemory = MaxMemoryOption.Create(MaxMemoryOption.Refuses);

        var cmd = new Command("train", "Train the network by gradient descent over depths × τ rules × seeds × step sizes; fit linear rates; check that τ = 1/√L trains at a depth-independent rate.");
        foreach (var o in new Option[]
                 {
                     block, activation, weights, width, depths, taus, seeds, lrs, dataset, dataPath, trainSize, testSize, inputDim, outputDim,
                     targets, optimizer, backward, momentum, batch, steps, precision, trained, reduction, evalEvery, divergence, stopRatio, threads, device, maxMemory, outDir, resume, json,
                 })
            cmd.Options.Add(o);
        cmd.Subcommands.Add(BuildBench(io));
        TauChecks.AtDepths(cmd, taus, r => ListOptions.Values(r.Value(taus), "--tau", t => t, "a τ rule"),
            r => ListOptions.Values(r.Value(depths), "--depth", ParseDepth, "an integer ≥ 1"));

        cmd.SetAction(r =>
        {
            DeviceOption.Use(r.GetValue(device)!);
            int th = r.GetValue(threads);
            var opt = OptionNames.ParseOptimizer(r.GetValue(optimizer)!);
            int b = r.GetValue(batch);
            var data = ReadData(r.GetValue(dataset)!, r.GetValue(dataPath), r.GetValue(trainSize), r.GetValue(testSize),
                r.GetValue(inputDim), r.GetValue(outputDim), r.GetValue(targets)!);
            int? every = r.GetValue(evalEvery);
            var options = new TrainingOptions
            {
                Optimizer = opt,
                Momentum = r.GetValue(momentum),
                BatchSize = b,
                Steps = r.GetValue(steps),
                Precision = OptionNames.ParsePrecision(r.GetValue(precision)!),
                Trained = TrainingNames.ParseTrained(r.GetValue(trained)!),
                Reduction = r.GetValue(reduction) is string red ? OptionNames.ParseReduction(red)
                    : opt == OptimizerKind.GradientDescent ? LossReduction.Sum : LossReduction.Mean,
                EvalEvery = every ?? (opt == OptimizerKind.GradientDescent ? 1 : Math.Max(1, TrainCount(data) / Math.Max(b, 1))),
                DivergenceFactor = r.GetValue(divergence),
                StopLossRatio = r.GetValue(stopRatio),
                Backward = OptionNames.ParseBackward(r.GetValue(backward)!),
            };
            var network = new NetworkSpec(
                width: r.GetValue(width),
                depth: 1,
                tau: TauRule.Parse("1"),
                block: ModelNames.ParseBlock(r.GetValue(block)!),
                activation: ModelNames.ParseActivation(r.GetValue(activation)!),
                weights: ModelNames.ParseWeightLaw(r.GetValue(weights)!),
                inputDim: data.InputDim,
                outputDim: data.OutputDim);
            var spec = new TrainingStudySpec(network,
                ListOptions.Values(r.GetValue(depths)!, "--depth", ParseDepth, "an integer ≥ 1"),
                ListOptions.Values(r.GetValue(taus)!, "--tau", ModelOptions.ParseTau, "a τ rule"),
                ListOptions.Values(r.GetValue(seeds)!, "--seed", ParseSeed, "a seed (0 or more)"),
                ListOptions.Values(r.GetValue(lrs)!, "--lr", ParseNumber, "a number"),
                data, options);
            spec.Validate();
            string dir = r.GetValue(outDir)!;
            bool res = r.GetValue(resume);
            TrainingStudyResult result;
            // Ctrl-C or SIGTERM stops at the next step: finished runs stay in runs.csv, the manifest says interrupted,
            // and --resume trains the rest (exit 130 or 143, as sweep does).
            PosixSignal? stop = null;
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop ??= PosixSignal.SIGTERM; });
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop ??= PosixSignal.SIGINT; });
            try
            {
                using var progress = new ProgressReporter(io, "training steps", TrainingStudy.StepsToRun(spec, dir, res));
                result = TrainingStudy.Run(spec, dir, res, n =>
                    {
                        if (stop is not null) throw new OperationCanceledException();
                        progress.Advance(n);
                    }, line => io.Err.WriteLine(line),
                    "stabilitylab " + string.Join(" ", r.Tokens.Select(t => t.Value)), threads: ThreadsOption.Resolve(th),
                    availableMemory: MaxMemoryOption.Resolve(r.GetValue(maxMemory)));
            }
            catch (OperationCanceledException) when (stop is not null)
            {
                io.Err.WriteLine($"train: interrupted; finished runs are kept in {dir}, and --resume trains the rest");
                return StabilityLab.Sweeps.StabilityStudyResult.ExitCodeOf(stop.Value);
            }
            if (r.GetValue(json)) io.Out.Write(File.ReadAllText(Path.Combine(result.Directory, TrainingStudy.FitsFile)));
            else Print(result, io);
            return CliApp.ExitOk;
        });
        return cmd;
    }

    private static int TrainCount(DataSource d) => d switch
    {
        SyntheticData s => s.Count,
        FashionMnist f => f.TrainCount,
        _ => 1,
    };

    private static DataSource ReadData(string name, string? path, int? trainSize, int? testSize, int p, int d, string targets)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "synthetic":
                var kind = targets.Trim().ToLowerInvariant() switch
                {
                    "random" => TargetKind.Random,
                    "teacher" => TargetKind.Teacher,
                    _ => throw new SpecException($"unknown --targets '{targets}' (expected random or teacher)"),
                };
                return new SyntheticData(trainSize ?? 32, p, d, kind, testSize ?? 0);
            case "fashion-mnist":
            case "fashion":
                var fm = new FashionMnist(path, trainSize ?? 10000, testSize ?? FashionMnist.MaxTest);
                fm.CheckAvailable();
                return fm;
            default:
                throw new SpecException($"unknown --dataset '{name}' (expected synthetic or fashion-mnist)");
        }
    }

    private static int ParseDepth(string s) =>
        int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture) is var d and >= 1 ? d : throw new FormatException();

    private static ulong ParseSeed(string s) => ulong.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double ParseNumber(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static void Print(TrainingStudyResult result, CliIo io)
    {
        string G(double? v) => v is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : "—";
        io.Out.WriteLine($"data: {result.DataDescription}".TrimEnd());
        io.Out.WriteLine($"output: {result.Directory} ({result.Runs.Count} runs, {result.Kept} kept from before)");
        foreach (var t in result.Trends)
        {
            io.Out.WriteLine();
            io.Out.WriteLine($"tau = {t.TauRule}, lr = {G(t.StepSize)}");
            io.Out.WriteLine($"  {"depth",6} {"runs",5} {"diverged",9} {"stalled",8} {"rate",11} {"95% interval",26} {"test acc",9} {"‖Δθ‖/‖θ₀‖",10}");
            foreach (var d in t.Depths)
                io.Out.WriteLine($"  {d.Depth,6} {d.Runs,5} {d.Diverged,9} {d.Stalled,8} {G(d.MeanRate),11} {(d.RateLower is null ? "" : $"[{G(d.RateLower)}, {G(d.RateUpper)}]"),26} {(d.MeanTestAccuracy is double a ? a.ToString("P1", CultureInfo.InvariantCulture) : ""),9} {G(d.MeanWeightChange),10}");
            string fails = $"deepest runs diverge or stall: {(t.DeepRunsFail ? "YES" : "no")}{(t.FailsFromDepth is int f ? $" (from L = {f})" : "")}";
            if (t.Depths.Count < 2)
            {
                io.Out.WriteLine($"  verdict: rate against depth needs two depths; {fails}");
                continue;
            }
            io.Out.WriteLine($"  rate vs ln L: slope {G(t.Slope)} [{G(t.SlopeLower)}, {G(t.SlopeUpper)}]{(t.SlopeContainsZero == true ? " (interval contains 0)" : "")}; deepest/shallowest rate {G(t.DeepToShallowRatio)}");
            io.Out.WriteLine($"  verdict: rate does not fall with depth (all train, ratio ≥ {DepthVerdicts.RatioThreshold}): {(t.RateHoldsWithDepth ? "YES" : "no")}; {fails}");
        }
    }

    private static Command BuildBench(CliIo io)
    {
        var width = ModelOptions.Width(1024, "width m (≥ 512 for the reported figure)");
        var depth = ModelOptions.Depth(16, "depth L");
        var batch = new Option<int>("--batch-size") { Description = "batch (≥ 256 for the reported figure)", DefaultValueFactory = _ => 256 };
        var precision = new Option<string>("--precision") { Description = "float32 or float64", DefaultValueFactory = _ => "float32" };
        var trained = new Option<string>("--trainable") { Description = "w or all", DefaultValueFactory = _ => "w" };
        var threads = ThreadsOption.Create("libtorch threads (0 = all cores)");
        var repeats = new Option<int>("--repeats") { Description = "timed repetitions (median reported)", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var device = DeviceOption.Create();
        var cmd = new Command("bench", "GFLOP/s of one training step (forward + backward matmul FLOPs) against TorchSharp's matrix multiply in the same run, on the chosen device.")
        {
            width, depth, batch, precision, trained, threads, repeats, device,
        };
        cmd.SetAction(r =>
        {
            DeviceOption.Use(r.GetValue(device)!);
            var spec = new TrainingBenchmarkSpec(r.GetValue(width), r.GetValue(depth), r.GetValue(batch),
                OptionNames.ParsePrecision(r.GetValue(precision)!), TrainingNames.ParseTrained(r.GetValue(trained)!),
                ThreadsOption.Resolve(r.GetValue(threads)), r.GetValue(repeats));
            var b = TrainingBenchmark.Run(spec);
            io.Out.WriteLine(b.Summary());
            return CliApp.ExitOk;
        });
        return cmd;
    }
}
