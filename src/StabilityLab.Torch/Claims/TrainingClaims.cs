using System.Globalization;
using System.Text.Json.Nodes;
using StabilityLab.Claims;
using StabilityLab.Models;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Training;

namespace StabilityLab.Torch.Claims;

/// <summary>
/// The training kinds of a claims file (converges, rate-independent-of-depth, diverges, accuracy-comparison; docs/claims.md §8): claims and
/// controls on the same network, depths and training settings share one training study holding every τ rule they use
/// (so a claim and its τ control train on the same data and seeds), under studies/&lt;key&gt;; a finished study is reused by
/// content. Without the dataset's files every claim on it is INCONCLUSIVE with the install hint.
/// </summary>
public sealed class TrainingClaims : IClaimRunner
{
    private readonly TrainingWorkers? _workers;

    /// <summary>Trains the studies in this process, one run at a time.</summary>
    public TrainingClaims()
    {
    }

    /// <summary>With more than one thread (<see cref="ClaimRunnerContext.Threads"/>), trains the studies in worker processes,
    /// one per thread, each one run at a time (<see cref="TrainingWorkers"/>); what a worker leaves unfinished is trained here.</summary>
    public TrainingClaims(TrainingWorkers workers) => _workers = workers ?? throw new ArgumentNullException(nameof(workers));

    public IReadOnlyCollection<ClaimKind> Kinds { get; } = [ClaimKind.Converges, ClaimKind.RateIndependentOfDepth, ClaimKind.Diverges, ClaimKind.AccuracyComparison];

    /// <summary>The training study of every claim, by id. Seeds are seed, seed + 1, …; full-batch runs in float64.</summary>
    public static IReadOnlyDictionary<string, TrainingStudySpec> Plan(IReadOnlyList<Claim> claims, ulong seed)
    {
        var plan = new Dictionary<string, TrainingStudySpec>(StringComparer.Ordinal);
        // loss_fraction is a test's threshold, not a setting of the runs: claims that differ only there share a study.
        // An accuracy comparison trains two arms, its own network and its reference (planned as the claim <id>#reference),
        // in practice's setting (mean loss, test accuracy at the end): its arms share studies with each other, not with the
        // other training kinds.
        // A largest-stable control starts from its claim's step size, so it is planned after the others, one study per τ
        // rule (the step sizes found are that rule's own).
        var groups = Arms(claims).GroupBy(c => (c.Network, Depths: string.Join(",", c.Depths), Settings: c.Training! with { LossFraction = 0 },
            Practice: c.Kind == ClaimKind.AccuracyComparison, Stable: c.Training.LargestStable ? Rule(c).ToString() : ""))
            .OrderBy(g => g.Key.Stable.Length > 0).ToList();
        foreach (var g in groups)
        {
            var first = g.First();
            var t = first.Training ?? throw new ArgumentException($"claim '{first.Id}' has no training settings");
            string where = $"claim '{first.Id}'";
            try
            {
                var rules = g.Select(Rule).Distinct().ToArray();
                DataSource data = t.Dataset switch
                {
                    "synthetic" when g.Key.Practice => throw new SpecException("kind 'accuracy-comparison' needs a dataset with labels and a test split (fashion-mnist)"),
                    "synthetic" => new SyntheticData(t.Samples, t.InputDim, 1, TargetKind.Random),
                    "fashion-mnist" => new FashionMnist(t.DataDir, trainCount: Math.Min(t.Samples, FashionMnist.MaxTrain), testCount: t.TestSamples ?? FashionMnist.MaxTest),
                    _ => throw new SpecException($"unknown dataset '{t.Dataset}' (expected synthetic or fashion-mnist)"),
                };
                var n = first.Network;
                var seeds = Enumerable.Range(0, t.Seeds).Select(i => seed + (ulong)i).ToArray();
                var template = new NetworkSpec(n.Width, first.Depths[0], rules[0], n.Block, n.Activation, n.Weights, data.InputDim, data.OutputDim);
                var options = new TrainingOptions
                {
                    Steps = t.Steps, StepSize = t.Lr ?? 1, Precision = TorchSharp.torch.ScalarType.Float64,
                    Optimizer = OptionNames.ParseOptimizer(t.Optimizer), Trained = TrainingNames.ParseTrained(t.Trainable),
                };
                // Practice: the mean loss F/n (step sizes of order 0.01–0.1), float32, the test accuracy once, at the end; no early stop.
                if (g.Key.Practice)
                    options = options with { Reduction = LossReduction.Mean, Precision = TorchSharp.torch.ScalarType.Float32, EvalEvery = t.Steps, StopLossRatio = 0, TestAtStart = false };
                var spec = new TrainingStudySpec(template, first.Depths, rules, seeds, [t.Lr ?? 1], data, options);
                if (t.Lr is null && !t.LargestStable && Missing(data) is null)
                {
                    // One step size for the whole study, set by the claims' own τ rules (a control runs at its claim's step size):
                    // λ_max grows with depth, so it is the largest over the claims' (depth, τ) and over the seeds' weights and
                    // data (docs/claims.md §8).
                    var own = g.Where(c => !c.Id.Contains("/control-", StringComparison.Ordinal)).Select(Rule).Distinct().ToArray();
                    // Rounded to 3 significant digits: the last bits of λ_max may depend on libtorch's thread count, the study's
                    // key (and so its reuse) must not.
                    double eta = RuleSteps.GetOrAdd(Key(spec) + "|c=" + t.LrFraction.ToString("R", CultureInfo.InvariantCulture), _ => RoundTo3(LinearizedPrediction.StepSizeRule(
                        first.Depths.SelectMany(L => (own.Length > 0 ? own : rules).Select(r => spec.SpecFor(L, r))).ToList(), data, seeds, options, t.LrFraction)));
                    spec = spec with { StepSizes = [eta], Options = options with { StepSize = eta } };
                }
                if (t.LargestStable) spec = LargestStable(spec, first, plan, data);
                // (Without lr and without the dataset's files the study does not run: its claims are INCONCLUSIVE, see Run.)
                foreach (var c in g) plan[c.Id] = spec;
            }
            catch (SpecException e) { throw new SpecException($"{where}: {e.Message}"); }
        }
        return plan;
    }

    /// <summary>
    /// The study of a control with "lr": "largest-stable": at each depth the largest step on the halving grid from its
    /// claim's step size η₀ at which the run of the stiffest seed does not diverge (<see cref="LargestStableStep"/>).
    /// </summary>
    private static TrainingStudySpec LargestStable(TrainingStudySpec spec, Claim control, Dictionary<string, TrainingStudySpec> plan, DataSource data)
    {
        int cut = control.Id.IndexOf("/control-", StringComparison.Ordinal);
        string parent = cut > 0 ? control.Id[..cut] : control.Id;
        if (!plan.TryGetValue(parent, out var own))
            throw new SpecException($"\"lr\": \"{ClaimTraining.LargestStableName}\" starts from the step size of claim '{parent}', which is not checked here");
        double start = own.StepSizes[0];
        // Without the data the study does not run (INCONCLUSIVE): nothing to probe.
        if (Missing(data) is not null) return spec with { StepSizes = [start], Options = spec.Options with { StepSize = start } };
        var rule = spec.TauRules.Single();
        var steps = StableSteps.GetOrAdd(Key(spec with { StepSizes = [start] }), _ =>
        {
            var draws = spec.Seeds.Select(s => (s, data.Load(s))).ToList();
            // The depths are independent searches, run one after another on one libtorch thread (the runs' own setting;
            // not in parallel, see RunStudy).
            var steps = new double[spec.Depths.Count];
            TorchRuntime.SetThreads(1);
            for (int i = 0; i < steps.Length; i++)
                steps[i] = LargestStableStep.Find(spec.SpecFor(spec.Depths[i], rule), draws, spec.Options, start).Step;
            return steps;
        });
        return spec with { StepSizes = [.. steps.Distinct()], DepthStepSizes = steps, Options = spec.Options with { StepSize = start } };
    }

    /// <summary>The directory name of a study: a hash of its settings and grid.</summary>
    public static string Key(TrainingStudySpec spec)
    {
        var settings = new JsonObject();
        foreach (var (k, v) in spec.Settings()) settings[k] = v;
        settings["depths"] = new JsonArray([.. spec.Depths.Select(d => (JsonNode)d)]);
        settings["tau_rules"] = new JsonArray([.. spec.TauRules.Select(r => (JsonNode)r.ToString())]);
        settings["seeds"] = new JsonArray([.. spec.Seeds.Select(s => (JsonNode)s)]);
        settings["step_sizes"] = new JsonArray([.. spec.StepSizes.Select(s => (JsonNode)s.ToString("R", CultureInfo.InvariantCulture))]);
        return StudyKey.Of(settings);
    }

    public void Validate(IReadOnlyList<Claim> claims, ulong seed) => StudyKey.ValidateEach(Arms(claims), Plan(claims, seed), s => s.Validate());

    /// <summary>The claims, each accuracy comparison followed by its reference arm (<see cref="ClaimReference.Arm"/>).</summary>
    public static IReadOnlyList<Claim> Arms(IReadOnlyList<Claim> claims) =>
        claims.SelectMany(c => c.Reference is { } r ? [c, r.Arm(c)] : new[] { c }).ToList();

    public ClaimRunnerResult Run(IReadOnlyList<Claim> claims, ulong seed, string studiesDir, ClaimRunnerContext context)
    {
        var plan = Plan(claims, seed);
        var groups = Arms(claims).GroupBy(c => Key(plan[c.Id])).Select(g => (Key: g.Key, Spec: plan[g.First().Id], Dir: Path.Combine(studiesDir, g.Key), Users: g.Select(c => c.Id).ToList())).ToList();
        // A finished study is reused by content; an unfinished one is continued only when asked (--resume).
        foreach (var g in groups)
            if (Directory.Exists(g.Dir) && (context.Fresh || !context.Resume && !StudyKey.IsComplete(g.Dir))) Directory.Delete(g.Dir, recursive: true);
        TrainInWorkers(groups.Select(g => (g.Key, g.Spec, g.Dir, (IReadOnlyList<string>)g.Users)).ToList(), context);
        // Each study once (a comparison's two arms may sit in two studies): its result, or why its data are missing.
        var studies = new Dictionary<string, (TrainingStudyResult? Result, string? Missing, string Dir)>(StringComparer.Ordinal);
        foreach (var g in groups)
            studies[g.Key] = RunStudy(g.Spec, g.Dir, g.Key, g.Users, context);
        var checks = new Dictionary<string, (StabilityLab.Fitting.Check, string)>(StringComparer.Ordinal);
        foreach (var c in claims)
        {
            var own = studies[Key(plan[c.Id])];
            var reference = c.Reference is { } r ? studies[Key(plan[r.Arm(c).Id])] : own;
            string? why = own.Missing ?? reference.Missing;
            checks[c.Id] = (why is not null ? TrainingClaimKinds.NotRun(c, why)
                : c.Reference is not null ? AccuracyComparison.Evaluate(c, own.Result!, reference.Result!, plan[c.Id].Data is FashionMnist f ? f.TestCount : 0, plan[c.Id].Data.OutputDim)
                : TrainingClaimKinds.Evaluate(c, own.Result!), own.Dir);
        }
        return new ClaimRunnerResult(checks);
    }

    private static (TrainingStudyResult? Result, string? Missing, string Dir) RunStudy(TrainingStudySpec spec, string dir, string key, IEnumerable<string> users, ClaimRunnerContext context)
    {
        if (Missing(spec.Data) is { } why) return (null, why, dir);
        // Finished (same key, same settings; here or by a worker): read back, not retrained, so its files stay as they are.
        if (StudyKey.IsComplete(dir)) return (TrainingStudy.Read(dir), null, dir);
        context.Log?.Invoke(Describe(spec, key, users));
        TrainingStudyResult r = null!;
        // One libtorch thread, one run at a time: the runs are small, and two threads collapse when the other core is busy.
        // Two runs trained at once in one process crashed it now and then with the CPU busy (TrainingAndSpectralCheckTests:
        // 2 of 10 runs, against 0 of 12 one at a time), cause not found.
        context.Progress($"training {key}", "steps", TrainingStudy.StepsToRun(spec, dir, resume: true),
            advance => r = TrainingStudy.Run(spec, dir, resume: true, onStep: k => advance(k), threads: 1));
        return (r, null, dir);
    }

    private static string Describe(TrainingStudySpec spec, string key, IEnumerable<string> users) =>
        $"check: training study {key} ({spec.Network.Block.Name()}; {string.Join(", ", spec.TauRules)}; m={spec.Network.Width}, L = {string.Join(", ", spec.Depths)}, "
        + $"{spec.Seeds.Count} seeds, {spec.Options.Steps} steps, η = {string.Join(", ", (spec.DepthStepSizes ?? spec.StepSizes.Take(1)).Select(x => x.ToString("G3", CultureInfo.InvariantCulture)))}) for {string.Join(", ", users)}";

    /// <summary>
    /// The unfinished studies whose data are at hand, trained in worker processes (<see cref="TrainingWorkers"/>) when this
    /// runner has them, more than one thread is allowed, and there are at least two such studies: one worker per thread.
    /// What a worker does not finish, <see cref="RunStudy"/> then continues in this process.
    /// </summary>
    private void TrainInWorkers(IReadOnlyList<(string Key, TrainingStudySpec Spec, string Dir, IReadOnlyList<string> Users)> groups, ClaimRunnerContext context)
    {
        if (_workers is null) return;
        int threads = context.Threads > 0 ? context.Threads : Environment.ProcessorCount;
        var todo = groups.Where(g => Missing(g.Spec.Data) is null && !StudyKey.IsComplete(g.Dir)).ToList();
        if (threads < 2 || todo.Count < 2) return;
        int workers = Math.Min(threads, todo.Count);
        foreach (var g in todo) context.Log?.Invoke(Describe(g.Spec, g.Key, g.Users));
        context.Log?.Invoke($"check: {todo.Count} training studies in {workers} worker processes, each one run at a time on one libtorch thread");
        long total = todo.Sum(g => TrainingStudy.StepsToRun(g.Spec, g.Dir, resume: true));
        context.Progress($"training {todo.Count} studies ({workers} workers)", "steps", total,
            advance => _workers.Run(todo.Select(g => (g.Spec, g.Dir)).ToList(), workers, advance, context.Log));
    }

    internal static TauRule Rule(Claim c) => c.TauEntry.Expand().Single();

    private static double RoundTo3(double v) => double.Parse(v.ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    // The rule's step size by study (the kernels are formed once per process, not at every Plan).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, double> RuleSteps = new(StringComparer.Ordinal);

    // The largest stable step sizes by study, likewise (each search trains probe runs).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, double[]> StableSteps = new(StringComparer.Ordinal);

    private static string? Missing(DataSource data)
    {
        try { data.CheckAvailable(); return null; }
        catch (SpecException e) { return e.Message; }
    }
}
