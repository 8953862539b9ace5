using System.CommandLine;
using Spectre.Console;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;
using StabilityLab.Statistics;
using StabilityLab.Torch;
using StabilityLab.Torch.Sampling;

namespace StabilityLab.Cli.Commands;

/// <summary>
/// `stabilitylab bench`: speed figures as ratios measured in one run on this machine
/// (ours against the reference, same process, same moment), never absolute times alone.
/// </summary>
public static class BenchCommand
{
    public static Command Build(CliIo io)
    {
        var threads = ThreadsOption.Create("threads for the all-core measurements (0 = all cores)");
        var repeats = new Option<int>("--repeats") { Description = "timed repetitions per measurement (the median is reported)", DefaultValueFactory = _ => 3 }.AtLeast(1);
        var json = OutputOptions.Json("print the measurements as JSON (name, ours and reference in seconds, ratio, target) instead of the table");
        var cmd = new Command("bench", "Benchmark the exact sampler against the dense sampler and the random-number ceiling.") { threads, repeats, json };
        cmd.SetAction(r =>
        {
            Run(ThreadsOption.Resolve(r.GetValue(threads)), r.GetValue(repeats), r.GetValue(json), io);
            return CliApp.ExitOk;
        });
        return cmd;
    }

    /// <summary>
    /// One measurement: a stable id for scripts, its description, ours and the reference in <paramref name="Unit"/>
    /// (null where there is none), the ratio in the sense that makes larger better (reference/ours for times,
    /// ours/reference for rates), the target.
    /// </summary>
    private sealed record Measurement(string Id, string Name, double? Ours, double? Reference, double? Ratio, string Target, string Unit = "s");

    private static void Run(int threads, int repeats, bool json, CliIo io)
    {
        var rows = Measure(threads, repeats, io);
        if (json)
        {
            io.Out.Write(StabilityLab.Output.JsonText.Of(new System.Text.Json.Nodes.JsonObject
            {
                ["threads"] = threads, ["repeats"] = repeats, ["simd"] = SimdPaths.Best.ToString(),
                ["measurements"] = new System.Text.Json.Nodes.JsonArray(rows.Select(m => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
                {
                    ["id"] = m.Id, ["name"] = m.Name, ["ours"] = m.Ours, ["reference"] = m.Reference, ["unit"] = m.Unit, ["ratio"] = m.Ratio, ["target"] = m.Target,
                }).ToArray()),
            }));
            return;
        }
        var console = io.PlainConsole();
        var table = new Table().AddColumns("measurement", "ours", "reference", "ratio", "target");
        foreach (var m in rows)
            table.AddRow(Markup.Escape(m.Name), m.Ours is double o ? Value(o, m.Unit) : "",
                m.Reference is double rf ? Value(rf, m.Unit) : "",
                m.Ratio is double q ? (m.Target.EndsWith('%') ? $"{100 * q:F0}%" : $"{q:F1}×") : "", m.Target);
        console.Write(table);
    }

    private static List<Measurement> Measure(int threads, int repeats, CliIo io)
    {
        var rows = new List<Measurement>();
        io.Err.WriteLine($"bench: {threads} thread(s), {repeats} repetition(s), SIMD path {SimdPaths.Best}");

        // 1. Exact vs dense on the same cell, forward + backward, all cores. The dense side (libtorch) runs last, after every
        //    row timed on one core, so that libtorch's worker threads, which spin for a while after each call, take no core
        //    from them; its row still comes first.
        var cell = new NetworkSpec(1024, 100, TauRule.Parse("1/sqrt(L)"));
        var schedule = new[] { cell.TauSchedule() };
        int exactTrials = 200;
        MonteCarlo.RunExact(cell, schedule, 8, 1, threads); // warm-up (JIT)
        double exactPerTrial = Timing.MedianSeconds(repeats, () => MonteCarlo.RunExact(cell, schedule, exactTrials, 2, threads)) / exactTrials;

        // 2. Normals per second per core: the default (Philox ziggurat) against Threefry + Box–Muller (runs before Philox), same
        //    fills, one thread; Philox + Box–Muller (runs between the two) against Threefry as well, so all three are in view.
        //    Timed in short blocks in turn (16 fills of 4096, 0.05–0.3 ms, shorter than a scheduler slice), each generator's
        //    10th percentile of 400 blocks, as the sampler row below: timed as whole loops of 4000 fills the ratio read
        //    2.7× once at load ≈ 2 and 3.5–4.0× in other runs, as a neighbour's load fell on one loop or another.
        var normals = new double[4096];
        const int fills = 16;
        Action Fills(RandomGenerator g)
        {
            var s = RandomStream.For(6, 1, 0, g);
            int block = 0;
            return () =>
            {
                for (int i = 0; i < fills; i++) NormalGenerator.Fill(s, RandomStream.Domain(block * fills + i, 1), normals);
                block = (block + 1) % 250;
            };
        }
        var generators = new[] { RandomGenerators.Default, RandomGenerator.Threefry, RandomGenerator.Philox };
        var fillActions = generators.Select(Fills).ToArray();
        Timing.WarmUp(1.0, fillActions);
        var perSecond = Timing.QuantileSecondsInTurn(Math.Max(repeats, 5) * 80, 0.1, fillActions).Select(t => fills * (double)normals.Length / t).ToArray();
        double zig = perSecond[0], threefry = perSecond[1], boxMuller = perSecond[2];
        rows.Add(new("generator_ratio", "normals per second per core, Philox-4x32-10 ziggurat (default) vs Threefry-2x64-20 Box–Muller", zig, threefry, zig / threefry, "≥ 3×", "normals/s"));
        rows.Add(new("generator_philox_box_muller", "normals per second per core, Philox-4x32-10 Box–Muller (runs before the ziggurat) vs Threefry-2x64-20 Box–Muller", boxMuller, threefry, boxMuller / threefry, "", "normals/s"));

        // 3. Exact vs the random-number ceiling: a loop that only draws the same normals, one thread. Timed trial by trial
        //    in turn (trials 0..99, 100 pairs per repetition), each side's 10th percentile: one trial (≈ 0.3 ms) is
        //    shorter than a scheduler slice, so the low part of each sample is its undisturbed time. Whole 100-trial loops
        //    (≈ 30 ms each) were each interrupted a different number of times: their ratio ranged from 43% to 105% over
        //    five runs (two builds within about 1% of each other) on this project's 2-core machine at load 3–7; medians
        //    of single trials still from 28% to 83% over four runs at load 0.1–3.8 (probably a neighbour in the shared
        //    caches, which slows the sampler's 1.6 MB forward tape more than the normals loop's one row).
        var single = new ExactSampler(cell);
        int n1 = 100, exactTrial = 0, rngTrial = 0;
        Action exactLoop = () => { for (int t = 0; t < n1; t++) single.Sample(RandomStream.For(4, 1, (uint)t, RandomGenerators.Default)); };
        Action rngLoop = () => { for (int t = 0; t < n1; t++) DrawSameNormals(cell, RandomStream.For(4, 1, (uint)t, RandomGenerators.Default)); };
        Timing.WarmUp(1.0, exactLoop, rngLoop);
        var (tExact, tRng) = Timing.QuantileSecondsAlternating(Math.Max(repeats, 5) * n1, 0.1,
            () => single.Sample(RandomStream.For(4, 1, (uint)(exactTrial++ % n1), RandomGenerators.Default)),
            () => DrawSameNormals(cell, RandomStream.For(4, 1, (uint)(rngTrial++ % n1), RandomGenerators.Default)));
        rows.Add(new("sampler_vs_normals", "exact sampler vs normals-only loop, same draws, m=1024 L=100, 1 thread", tExact, tRng, tRng / tExact, "≥ 80%"));

        // 4. Time per trial per core at m = 4096, L = 1000 (the dense path would hold L·m² doubles), against the same trials under Threefry.
        var big = new NetworkSpec(4096, 1000, TauRule.Parse("1/sqrt(L)"));
        var bigSampler = new ExactSampler(big);
        int n3 = 5;
        double PerTrial(RandomGenerator g)
        {
            bigSampler.Sample(RandomStream.For(5, 1, 0, g));
            return Timing.MedianSeconds(repeats, () => { for (int t = 0; t < n3; t++) bigSampler.Sample(RandomStream.For(5, 1, (uint)t, g)); }) / n3;
        }
        double tBig = PerTrial(RandomGenerators.Default), tBigThreefry = PerTrial(RandomGenerator.Threefry);
        double denseBytes = 8.0 * big.Depth * big.Width * big.Width;
        rows.Add(new("per_trial_4096x1000", $"per trial per core, m=4096 L=1000, fwd+bwd, vs Threefry (dense would need {denseBytes / 1e9:F0} GB)",
            tBig, tBigThreefry, tBigThreefry / tBig, "≤ 35 ms"));

        // 5. The checkpointed forward pass (O(m√L) memory, the same bits) against the stored one, same trials, one thread.
        var mid = new NetworkSpec(1024, 1000, TauRule.Parse("1/sqrt(L)"));
        var storedSampler = new ExactSampler(mid);
        var checkpointedSampler = new ExactSampler(mid, checkpointInterval: ExactSampler.CheckpointInterval(mid));
        int n5 = 10;
        Action Trials(ExactSampler s) => () => { for (int t = 0; t < n5; t++) s.Sample(RandomStream.For(7, 1, (uint)t, RandomGenerators.Default)); };
        storedSampler.Sample(RandomStream.For(7, 1, 0, RandomGenerators.Default));
        checkpointedSampler.Sample(RandomStream.For(7, 1, 0, RandomGenerators.Default));
        var (tStored, tCheckpointed) = Timing.MedianSecondsAlternating(Math.Max(repeats, 5), Trials(storedSampler), Trials(checkpointedSampler));
        tStored /= n5;
        tCheckpointed /= n5;
        rows.Add(new("checkpoint_vs_stored", $"checkpointed (every {checkpointedSampler.Interval} layers) vs stored forward pass, m=1024 L=1000, per trial, 1 thread (62.5%: 1.6× the stored time)",
            tCheckpointed, tStored, tStored / tCheckpointed, "≥ 62.5%"));

        TorchRuntime.SetThreads(threads);
        var dense = new DenseSampler(cell);
        dense.Sample(1, 1, 1); // warm-up (native load, allocator)
        int denseTrials = Math.Max(2, dense.BatchSize);
        double densePerTrial = Timing.MedianSeconds(repeats, () => dense.Sample(3, 1, denseTrials)) / denseTrials;
        rows.Insert(0, new("exact_vs_dense", "exact vs dense, m=1024 L=100, fwd+bwd, per trial", exactPerTrial, densePerTrial, densePerTrial / exactPerTrial, "≥ 500×"));

        // Rates that make sweeps plannable.
        double trialLayersPerSec = cell.Depth / exactPerTrial; // exactPerTrial is wall time per trial with all threads busy
        rows.Add(new("trial_layers_per_second", "exact trial-layers per second, m=1024, all cores", trialLayersPerSec, null, null, "", "trial-layers/s"));
        return rows;
    }

    /// <summary>Draws exactly the normals one exact trial of the post block draws, in the same chunks.</summary>
    private static void DrawSameNormals(NetworkSpec spec, RandomStream s)
    {
        var buf = new double[spec.Width]; // one row: the ceiling excludes the sampler's memory traffic
        NormalGenerator.Fill(s, 0, buf);
        for (int l = 1; l <= spec.Depth; l++)
        {
            NormalGenerator.Fill(s, RandomStream.Domain(l, 1), buf);
            NormalGenerator.Fill(s, RandomStream.Domain(l, 3), buf);
        }
        NormalGenerator.Fill(s, RandomStream.Domain(spec.Depth + 1, 6), buf);
        NormalGenerator.Fill(s, RandomStream.Domain(spec.Depth + 1, 5), buf.AsSpan(0, spec.OutputDim));
    }

    private static string Ms(double seconds) => $"{seconds * 1e3:F3} ms";

    private static string Value(double v, string unit) => unit == "s" ? Ms(v) : $"{v:E3}";
}
