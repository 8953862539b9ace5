using System.CommandLine;
using StabilityLab.Torch.Training;

namespace StabilityLab.Cli.Commands;

/// <summary>
/// `stabilitylab train-study SPEC --out DIR` (hidden): one worker process of a claims check (<see cref="TrainingWorkers"/>).
/// It trains the planned study in SPEC (<see cref="TrainingStudySpecJson"/>) into DIR on one libtorch thread, continuing
/// what DIR already holds, and prints "+k" on standard output for every k steps done.
/// </summary>
public static class TrainStudyCommand
{
    public static Command Build(CliIo io)
    {
        var spec = new Argument<string>("spec") { Description = "the study spec (JSON) a claims check wrote" };
        var outDir = new Option<string>("--out") { Description = "the study directory", Required = true };
        var cmd = new Command(TrainingWorkers.CommandName, "Train one planned training study for a claims check (a worker process; internal).") { spec, outDir };
        cmd.Hidden = true;
        cmd.SetAction(r =>
        {
            var s = TrainingStudySpecJson.Read(File.ReadAllText(r.GetValue(spec)!));
            TrainingStudy.Run(s, r.GetValue(outDir)!, resume: true, onStep: k =>
            {
                io.Out.WriteLine("+" + k.ToString(System.Globalization.CultureInfo.InvariantCulture));
                io.Out.Flush();
            }, threads: 1);
            return 0;
        });
        return cmd;
    }
}
