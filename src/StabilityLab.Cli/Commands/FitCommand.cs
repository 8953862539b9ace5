using System.CommandLine;
using Spectre.Console;
using StabilityLab.Fitting;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Output;

namespace StabilityLab.Cli.Commands;

/// <summary>`stabilitylab fit DIR`: threshold, converse and stability fits of a sweep, fits.json and a verdict table.</summary>
public static class FitCommand
{
    public static Command Build(CliIo io)
    {
        var dir = new Argument<string>("sweep-dir") { Description = "a sweep directory (cells.csv; raw.csv gives bootstrap intervals for τ*)" };
        var level = SamplingOptions.BlowupLevel("K: the threshold is where the median of ‖h_L‖²/‖h_0‖² crosses K²", 10.0);
        var minDepth = new Option<int>("--min-depth") { Description = "fit laws over depths ≥ this", DefaultValueFactory = _ => 16 }.AtLeast(1);
        var resamples = new Option<int>("--resamples") { Description = "bootstrap resamples for τ*(L)", DefaultValueFactory = _ => 400 }.AtLeast(10);
        var json = OutputOptions.Json("print fits.json instead of the verdict table");
        var cmd = new Command("fit", "Fit the stability threshold τ* = C·L^α, the converse growth and the stability of τ = a/√L; write fits.json and print verdicts (PASS, FAIL or INCONCLUSIVE, Holm-corrected); " + CliApp.VerdictExitCodes + ".") { dir, level, minDepth, resamples, json };
        cmd.SetAction(r =>
        {
            var o = new FitOptions(r.GetValue(level), r.GetValue(minDepth), r.GetValue(resamples));
            var (report, theory) = SweepFit.Run(r.GetValue(dir)!, o);
            if (r.GetValue(json)) io.Out.Write(File.ReadAllText(Path.Combine(r.GetValue(dir)!, SweepFit.FitsFile)));
            else
            {
                PrintVerdicts(report.Verdicts, io);
                foreach (var line in SweepTheory.Summary(theory)) io.Out.WriteLine(line);
            }
            return CliApp.ExitCodeFor(report.Verdicts);
        });
        return cmd;
    }

    public static void PrintVerdicts(IReadOnlyList<Verdict> verdicts, CliIo io)
    {
        var console = io.PlainConsole();
        var table = new Table().AddColumns("claim", "prediction", "measurement (95% interval)", "verdict");
        foreach (var v in verdicts) table.AddRow(Markup.Escape(v.Claim), Markup.Escape(v.Prediction), Markup.Escape(v.Measurement), v.Outcome);
        console.Write(table);
        foreach (var v in verdicts.Where(v => v.Reason is not null)) io.Out.WriteLine($"{v.Outcome}: {v.Claim}: {v.Reason}");
        io.Out.WriteLine(VerdictFamily.Headline(verdicts));
    }
}
