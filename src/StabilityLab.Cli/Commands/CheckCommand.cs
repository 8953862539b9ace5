using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using StabilityLab.Claims;
using StabilityLab.Cli.Options;
using StabilityLab.Torch.Claims;

namespace StabilityLab.Cli.Commands;

/// <summary>`stabilitylab check FILE`: every claim of a claims file and its controls (<see cref="ClaimCheck"/>, docs/claims.md).</summary>
public static class CheckCommand
{
    public static Command Build(CliIo io)
    {
        var file = new Argument<string>("claims") { Description = "claims file (JSON, docs/claims.md), e.g. claims/zhang2022.json" };
        var outDir = OutputOptions.OptionalDirectory("where the studies, verdicts.json and verdicts.md go (default checks/<file name>)");
        var threads = ThreadsOption.Create();
        var resume = OutputOptions.Resume("continue interrupted studies where they stopped (finished studies are always reused by content)");
        var fresh = new Option<bool>("--fresh") { Description = "recompute every study, even finished ones" };
        var json = OutputOptions.Json("print verdicts.json instead of the table");
        var cmd = new Command("check", "Check the claims of a claims file: run the studies they need, test every claim and every control (which must FAIL), write verdicts.json and verdicts.md.")
            { file, outDir, threads, resume, fresh, json };
        cmd.SetAction(r =>
        {
            var path = r.GetValue(file)!;
            var claims = ClaimsFile.Load(path);
            var dir = r.GetValue(outDir) ?? Path.Combine("checks", Path.GetFileNameWithoutExtension(path));
            var clock = Stopwatch.StartNew();
            var result = ClaimCheck.Run(claims, dir, r.GetValue(threads), r.GetValue(fresh), r.GetValue(resume),
                (label, unit, total, work) => ProgressRunner.Run(io, label, unit, total, advance => { work(advance); return 0; }),
                io.Err.WriteLine, WorkerCommand.Of() is { } self ? ClaimRunners.WithWorkers(self) : ClaimRunners.All);
            if (result.Interrupted) return result.SignalExitCode ?? SweepCommand.ExitInterrupted;
            if (r.GetValue(json)) io.Out.Write(File.ReadAllText(Path.Combine(dir, VerdictFiles.Json)));
            else Print(result, io);
            io.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"check: {result.Headline}; {Path.Combine(dir, VerdictFiles.Markdown)} ({clock.Elapsed.TotalSeconds:F0} s)"));
            return result.ExitCode;
        });
        return cmd;
    }

    public static void Print(CheckResult r, CliIo io)
    {
        var console = io.PlainConsole();
        var table = new Table().AddColumns("claim", "measurement", "verdict");
        foreach (var c in r.Claims)
        {
            table.AddRow(Markup.Escape($"{c.Claim.Id}: {c.Claim.Statement}"), Markup.Escape(c.Verdict.Measurement), c.Verdict.Outcome);
            foreach (var k in c.Controls)
                table.AddRow(Markup.Escape($"  control {k.Control.Description} (must FAIL)"), Markup.Escape(k.Verdict.Measurement),
                    k.Verdict.Outcome + (k.FailedAsItMust ? " ✓" : " ✗"));
        }
        console.Write(table);
        foreach (var c in r.Claims)
        {
            if (c.Verdict.Reason is { } why) io.Out.WriteLine($"{c.Verdict.Outcome}: {c.Claim.Id}: {why}");
            foreach (var k in c.Controls.Where(k => k.Verdict.Reason is not null))
                io.Out.WriteLine($"{k.Verdict.Outcome}: {k.Control.Id}: {k.Verdict.Reason}");
        }
        io.Out.WriteLine(r.Headline);
    }
}
