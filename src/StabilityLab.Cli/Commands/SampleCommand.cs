using System.CommandLine;
using System.Globalization;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Randomness;
using StabilityLab.Sampling;
using StabilityLab.Statistics;
using StabilityLab.Sweeps;
using StabilityLab.Tables;
using StabilityLab.Torch;
using StabilityLab.Torch.Devices;
using StabilityLab.Torch.Sampling;

namespace StabilityLab.Cli.Commands;

/// <summary>`stabilitylab sample`: one cell, many random networks, the cells.csv statistics.</summary>
public static class SampleCommand
{
    public static Command Build(CliIo io)
    {
        var net = new NetworkOptions();
        var trials = SamplingOptions.Trials(4000, "number of random networks");
        var seed = SeedOption.Create();
        var sampler = new Option<string>("--sampler") { Description = "exact (O(L·m), Gaussian weights) or dense (materialized weights, TorchSharp)", DefaultValueFactory = _ => "exact" }
            .Check(v => v.Trim().ToLowerInvariant() is "exact" or "dense" ? null : $"must be exact or dense (got '{v}')");
        var threads = ThreadsOption.Create();
        var maxMemory = MaxMemoryOption.Create();
        var generator = GeneratorOption.Create();
        var device = DeviceOption.Create("dense sampler only: " + DeviceOption.Values);
        var blowup = SamplingOptions.BlowupLevel();
        var json = OutputOptions.Json("print one JSON object keyed by the cells.csv column names");
        var cmd = new Command("sample", "Sample random networks of one cell and print its statistics (log squared-norm ratios).");
        net.AddTo(cmd);
        foreach (var o in new Option[] { trials, seed, sampler, generator, threads, maxMemory, device, blowup, json }) cmd.Options.Add(o);
        cmd.Require(c => c.GetResult(device) is { Implicit: false } && DeviceRequests.TryParse(c.Value(device)) is not null
            && c.Value(sampler).Trim().ToLowerInvariant() != "dense"
            ? $"{DeviceOption.Name} applies to --sampler dense" : null);
        cmd.Require(c => c.GetResult(generator) is { Implicit: false } && c.Value(sampler).Trim().ToLowerInvariant() == "dense"
            ? "--generator applies to --sampler exact" : null);
        cmd.SetAction(r =>
        {
            var spec = net.Read(r);
            var kind = r.GetValue(sampler)!.Trim().ToLowerInvariant();
            if (kind == "dense") DeviceOption.Use(r.GetValue(device)!);
            int n = r.GetValue(trials), th = r.GetValue(threads);
            double k = r.GetValue(blowup);
            var cell = Run(spec, kind, n, r.GetValue(seed), th, k, io, RandomGenerators.Parse(r.GetValue(generator)!),
                MaxMemoryOption.Resolve(r.GetValue(maxMemory)));
            if (r.GetValue(json)) io.Out.WriteLine(CellsTable.Json(cell));
            else Print(cell, io);
            return CliApp.ExitOk;
        });
        return cmd;
    }

    /// <summary>Samples one cell with the chosen sampler and summarizes it; <paramref name="availableMemory"/>: the memory to plan the exact sampler with (null: the machine's).</summary>
    public static CellResult Run(NetworkSpec spec, string sampler, int trials, ulong seed, int threads, double blowupLevel, CliIo io,
        RandomGenerator generator = RandomGenerators.Default, long? availableMemory = null)
    {
        TrialSummary[] summaries;
        switch (sampler)
        {
            case "exact":
            {
                if (spec.Weights != WeightLaw.Gaussian)
                    throw new SpecException($"the exact sampler needs Gaussian weights (got {spec.Weights.Name()}); use --sampler dense");
                var resources = SweepResources.OfCell(spec, trials, threads, availableMemory);
                resources.Check(".", availableMemory);
                threads = resources.Threads;
                int interval = resources.IntervalOf(0);
                if (interval > 0) io.Err.WriteLine($"sample: checkpointing the forward pass every {interval} layers ({resources.MemoryBreakdown})");
                summaries = ProgressRunner.Run(io, "sample", "trials", trials,
                    advance => MonteCarlo.RunExact(spec, [spec.TauSchedule()], trials, seed, threads, n => advance(n), generator: generator,
                        checkpointInterval: interval)[0]);
                break;
            }
            case "dense":
            {
                TorchRuntime.SetThreads(threads <= 0 ? Environment.ProcessorCount : threads);
                var dense = new DenseSampler(spec);
                io.Err.WriteLine($"sample: dense sampler, device {TorchRuntime.DefaultDevice}, {TorchSharp.torch.get_num_threads()} thread(s)");
                summaries = dense.Sample(seed, CellKey.Of(spec), trials).Select(TrialSummary.Of).ToArray();
                break;
            }
            default:
                throw new SpecException($"unknown sampler '{sampler}' (expected exact or dense)");
        }
        var stats = CellStatistics.Compute(summaries, blowupLevel, bootstrapSeed: seed);
        // One cell and no statistics: nothing to print (a sweep writes such a cell and goes on).
        if (!stats.HasStatistics)
            throw new SpecException($"{stats.DeadTrials} of {summaries.Length} trials died (a layer became exactly zero), fewer than {CellStatistics.MinLiveTrials} live; increase the width");
        return new CellResult(spec, sampler, seed, trials, stats);
    }

    private static void Print(CellResult cell, CliIo io)
    {
        var names = CellsTable.Names;
        var values = CellsTable.Row(cell).Split(',');
        int w = names.Max(n => n.Length);
        for (int i = 0; i < names.Count && i < values.Length; i++)
            io.Out.WriteLine(names[i].PadRight(w) + "  " + Pretty(values[i]));
    }

    private static string Pretty(string v) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && v.Contains('.')
            ? d.ToString("G6", CultureInfo.InvariantCulture) : v;
}
