using StabilityLab.Fitting;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using StabilityLab.Cli.Options;
using StabilityLab.Reports;

namespace StabilityLab.Cli.Commands;

/// <summary>`stabilitylab reproduce`: the paper's claims end to end, into a report directory (<see cref="Reproduction"/>).</summary>
public static class ReproduceCommand
{
    public static Command Build(CliIo io)
    {
        var scale = new Option<string>("--scale") { Description = "quick (minutes on a laptop) or paper (the paper-scale sweep)", DefaultValueFactory = _ => "quick" }
            .Parses(ReproduceScale.Parse);
        var outDir = OutputOptions.OptionalDirectory("report directory (default reports/<scale>)");
        var seed = SeedOption.Create();
        var threads = ThreadsOption.Create();
        var cmd = new Command("reproduce", "Run the sweeps, fits and verdicts that check the paper's claims, and write a report (README.md) with its data.") { scale, outDir, seed, threads };
        cmd.SetAction(r =>
        {
            var s = ReproduceScale.Parse(r.GetValue(scale)!);
            var clock = Stopwatch.StartNew();
            var result = Reproduction.Run(s, r.GetValue(outDir) ?? Path.Combine("reports", s.Name), r.GetValue(seed), r.GetValue(threads),
                (label, unit, total, work) => ProgressRunner.Run(io, label, unit, total, advance => { work(advance); return 0; }),
                io.Err.WriteLine);
            if (result.Interrupted) return SweepCommand.ExitInterrupted;
            FitCommand.PrintVerdicts(result.Verdicts, io);
            io.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reproduce: {VerdictFamily.Headline(result.Verdicts)}; report {result.ReportPath} ({clock.Elapsed.TotalSeconds:F0} s)"));
            return CliApp.ExitCodeFor(result.Verdicts);
        });
        return cmd;
    }
}
