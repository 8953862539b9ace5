using System.CommandLine;
using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Sampling;
using StabilityLab.Statistics;
using StabilityLab.Tables;
using StabilityLab.Torch;
using StabilityLab.Torch.Sampling;

namespace StabilityLab.Cli.Commands;

/// <summary>`stabilitylab sample`: one cell, many random networks, the cells.csv statistics.</summary>
public static class SampleCommand
{
    public static Command Build(CliIo io)
    {
        var net = new NetworkOptions();
        var trials = new Option<int>("--trials", "-n") { Description = "number of random networks", DefaultValueFactory = _ => 4000 };
        var seed = new Option<ulong>("--seed") { Description = "master seed", DefaultValueFactory = _ => 1UL };
        var sampler = new Option<string>("--sampler") { Description = "exact (O(L·m), Gaussian weights) or dense (materialized weights, TorchSharp)", DefaultValueFactory = _ => "exact" };
        var threads = new Option<int>("--threads") { Description = "worker threads (0 = all cores)", DefaultValueFactory = _ => 0 };
        var blowup = new Option<double>("--blowup-level") { Description = "K: a trial blows up when ‖h_L‖/‖h_0‖ > K", DefaultValueFactory = _ => CellStatistics.DefaultBlowupLevel };
        var json = new Option<bool>("--json") { Description = "print one JSON object keyed by the cells.csv column names" };
        var cmd = new Command("sample", "Sample random networks of one cell and print its statistics (log squared-norm ratios).");
        net.AddTo(cmd);
        foreach (var o in new Option[] { trials, seed, sampler, threads, blowup, json }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var spec = net.Read(r);
            var kind = r.GetValue(sampler)!.Trim().ToLowerInvariant();
            int n = r.GetValue(trials), th = r.GetValue(threads);
            double k = r.GetValue(blowup);
            if (n < 1) throw new SpecException($"--trials must be at least 1 (got {n})");
            if (th < 0) throw new SpecException($"--threads must be 0 (all cores) or more (got {th})");
            if (!(k > 1) || !double.IsFinite(k)) throw new SpecException($"--blowup-level must be a finite number above 1 (got {k})");
            var cell = Run(spec, kind, n, r.GetValue(seed), th, k, io);
            if (r.GetValue(json)) io.Out.WriteLine(CellsTable.Json(cell));
            else Print(cell, io);
            return CliApp.ExitOk;
        });
        return cmd;
    }

    /// <summary>Samples one cell with the chosen sampler and summarizes it.</summary>
    public static CellResult Run(NetworkSpec spec, string sampler, int trials, ulong seed, int threads, double blowupLevel, CliIo io)
    {
        TrialSummary[] summaries;
        switch (sampler)
        {
            case "exact":
            {
                if (spec.Weights != WeightLaw.Gaussian)
                    throw new SpecException($"the exact sampler needs Gaussian weights (got {spec.Weights.Name()}); use --sampler dense");
                summaries = ProgressRunner.Run(io, "sample", "trials", trials,
                    advance => MonteCarlo.RunExact(spec, [spec.TauSchedule()], trials, seed, threads, n => advance(n))[0]);
                break;
            }
            case "dense":
            {
                TorchRuntime.SetThreads(threads <= 0 ? Environment.ProcessorCount : threads);
                var dense = new DenseSampler(spec);
                summaries = dense.Sample(seed, CellKey.Of(spec), trials).Select(TrialSummary.Of).ToArray();
                break;
            }
            default:
                throw new SpecException($"unknown sampler '{sampler}' (expected exact or dense)");
        }
        var stats = CellStatistics.Compute(summaries, blowupLevel, bootstrapSeed: seed);
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
