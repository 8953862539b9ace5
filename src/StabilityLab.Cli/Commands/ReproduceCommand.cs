using StabilityLab.Claims;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using StabilityLab.Cli.Options;
using StabilityLab.Reports;
using StabilityLab.Torch.Claims;

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
        var resume = OutputOptions.Resume("continue what an earlier run of the same reproduction left in the report directory (default: compute everything from scratch)");
        var claimsFile = new Option<string?>("--claims") { Description = "a claims file to check instead of the scale's (docs/claims.md)" };
        var json = OutputOptions.Json("print verdicts.json instead of the verdict table");
        var cmd = new Command("reproduce", "Check the paper's claims, each with a control that must FAIL: run the sweeps, training and spectral studies, and write a report (README.md, verdicts.json) with its data.")
            { scale, outDir, seed, threads, resume, claimsFile, json };
        cmd.SetAction(r =>
        {
            var s = ReproduceScale.Parse(r.GetValue(scale)!);
            var claims = r.GetValue(claimsFile) is { } path ? ClaimsFile.Load(path) : s.Claims();
            var clock = Stopwatch.StartNew();
            var result = Reproduction.Run(s, r.GetValue(outDir) ?? Path.Combine("reports", s.Name), r.GetValue(seed), r.GetValue(threads), r.GetValue(resume), claims,
                (label, unit, total, work) => ProgressRunner.Run(io, label, unit, total, advance => { work(advance); return 0; }),
                io.Err.WriteLine, WorkerCommand.Of() is { } self ? ClaimRunners.WithWorkers(self) : null);
            if (result.Interrupted || result.Result is null) return result.SignalExitCode ?? SweepCommand.ExitInterrupted;
            if (r.GetValue(json)) io.Out.Write(File.ReadAllText(Path.Combine(result.Directory, VerdictFiles.Json)));
            else CheckCommand.Print(result.Result, io);
            io.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reproduce: {result.Result.Headline}; report {result.ReportPath} ({clock.Elapsed.TotalSeconds:F0} s)"));
            return result.Result.ExitCode;
        });
        return cmd;
    }
}
