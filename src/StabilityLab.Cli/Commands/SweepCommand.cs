using System.CommandLine;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Statistics;
using StabilityLab.Sweeps;

namespace StabilityLab.Cli.Commands;

/// <summary>`stabilitylab sweep`: blocks × widths × depths × τ, many random networks per cell.</summary>
public static class SweepCommand
{
    public const int ExitInterrupted = 130;

    public static Command Build(CliIo io)
    {
        var spec = new Option<string?>("--spec") { Description = "a sweep spec JSON file, or a sweep's manifest.json to reproduce it (other grid flags are then not allowed)" };
        var block = ModelOptions.Blocks();
        var activation = ModelOptions.Activation();
        var width = GridOptions.Widths();
        var depth = GridOptions.Depths("4..256x4", "depths: a list (4,16,64) or geometric range (4..4096x2)");
        var tau = GridOptions.Taus(["1/sqrt(L)"], "τ rule (repeatable): 0.1, 1/sqrt(L), L^-beta with --param beta=..., L^(-1/2+c) with --param c=...", families: true);
        var param = GridOptions.Params();
        var trials = SamplingOptions.Trials(1000);
        var seed = SeedOption.Create();
        var generator = GeneratorOption.Create();
        var inputDim = ModelOptions.InputDim();
        var outputDim = ModelOptions.OutputDim();
        var blowup = SamplingOptions.BlowupLevel();
        var bootstrap = SamplingOptions.Bootstrap();
        var traceDepths = new Option<string?>("--trace-depth") { Description = "depths whose cells get per-layer traces (traces.csv), e.g. 64,1024" }
            .Parses(td => td is null ? null : GridOptions.Integers(td, "trace depth"));
        var raw = new Option<bool>("--raw") { Description = "also write every trial's scalars (raw.csv)" };
        var outDir = OutputOptions.Directory("output directory", required: true);
        var threads = ThreadsOption.Create();
        var maxMemory = MaxMemoryOption.Create();
        var shard = new Option<string>("--shard") { Description = "run shard i of N (every N-th cell, i from 0): e.g. 0/4", DefaultValueFactory = _ => "0/1" }
            .Parses(ShardSpec.Parse);
        var resume = OutputOptions.Resume("continue an interrupted sweep in --out, keeping its finished cells");
        var cmd = new Command("sweep", "Sample a grid of cells (blocks × widths × depths × τ) into cells.csv + manifest.json; resumable and shardable.");
        Option[] grid = [block, activation, width, depth, tau, param, trials, seed, generator, inputDim, outputDim, blowup, bootstrap, traceDepths, raw];
        foreach (var o in grid) cmd.Options.Add(o);
        foreach (var o in new Option[] { spec, outDir, threads, maxMemory, shard, resume }) cmd.Options.Add(o);
        GridOptions.CheckTaus(cmd, tau, depth);
        cmd.SetAction(r =>
        {
            SweepSpec s;
            var specFile = r.GetValue(spec);
            if (specFile is not null)
            {
                var explicitGrid = grid.Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (explicitGrid.Count > 0) throw new SpecException($"--spec cannot be combined with {string.Join(", ", explicitGrid)}");
                s = SweepSpec.FromJsonFile(specFile);
            }
            else
            {
                s = new SweepSpec
                {
                    Blocks = ModelOptions.SplitBlocks(r.GetValue(block)!),
                    Activation = r.GetValue(activation)!,
                    Widths = GridOptions.Integers(r.GetValue(width)!, "width"),
                    Depths = GridOptions.Integers(r.GetValue(depth)!, "depth"),
                    Taus = TauEntries(r.GetValue(tau)!, r.GetValue(param) ?? []),
                    Trials = r.GetValue(trials),
                    Seed = r.GetValue(seed),
                    Generator = r.GetValue(generator)!.Trim().ToLowerInvariant(),
                    InputDim = r.GetValue(inputDim),
                    OutputDim = r.GetValue(outputDim),
                    BlowupLevel = r.GetValue(blowup),
                    Bootstrap = r.GetValue(bootstrap),
                    TraceDepths = r.GetValue(traceDepths) is { } td ? GridOptions.Integers(td, "trace depth") : [],
                    Raw = r.GetValue(raw),
                };
            }
            s.Validate();
            var part = ShardSpec.Parse(r.GetValue(shard)!);
            var result = ProgressRunner.Run(io, "sweep", "trial-layers", StabilityStudy.Work(s, part),
                advance => StabilityStudy.Run(s, r.GetValue(outDir)!, r.GetValue(threads), part, r.GetValue(resume), advance, io.Err.WriteLine,
                    MaxMemoryOption.Resolve(r.GetValue(maxMemory))));
            io.Err.WriteLine(result.Report);
            return result.SignalExitCode ?? CliApp.ExitOk;
        });
        return cmd;
    }

    /// <summary>Pairs each τ rule with the --param values of the parameters it uses.</summary>
    public static IReadOnlyList<TauGridEntry> TauEntries(IReadOnlyList<string> rules, IReadOnlyList<string> parameters)
    {
        var values = new Dictionary<string, double[]>();
        foreach (var p in parameters)
        {
            int eq = p.IndexOf('=');
            if (eq <= 0) throw new SpecException($"bad --param '{p}' (expected name=values, e.g. beta=0:1:33)");
            var name = p[..eq].Trim();
            if (values.ContainsKey(name)) throw new SpecException($"--param {name} is given twice");
            values[name] = GridValues.ParseNumbers(p[(eq + 1)..], $"parameter {name}");
        }
        var used = new HashSet<string>();
        var entries = new List<TauGridEntry>();
        foreach (var text in rules)
        {
            var rule = TauRule.Parse(text);
            var mine = rule.FreeParameters.ToDictionary(n => n, n => values.TryGetValue(n, out var v)
                ? v : throw new SpecException($"--tau: τ rule '{text}' needs --param {n}=... (e.g. {n}=0:1:33)"));
            used.UnionWith(mine.Keys);
            entries.Add(new TauGridEntry(text, mine.Count > 0 ? mine : null));
        }
        var unused = values.Keys.Except(used).ToList();
        if (unused.Count > 0) throw new SpecException($"--param {unused[0]} is not used by any --tau rule");
        return entries;
    }
}
