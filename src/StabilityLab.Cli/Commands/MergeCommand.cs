using System.CommandLine;
using StabilityLab.Cli.Options;
using StabilityLab.Sweeps;

namespace StabilityLab.Cli.Commands;

/// <summary>`stabilitylab merge DIR... --out OUT`: combine the shards of one sweep.</summary>
public static class MergeCommand
{
    public static Command Build(CliIo io)
    {
        var dirs = new Argument<string[]>("shards") { Description = "the shard directories of one sweep", Arity = ArgumentArity.OneOrMore };
        var outDir = OutputOptions.Directory("output directory (must be new or empty)", required: true);
        var cmd = new Command("merge", "Merge sweep shards (--shard i/N) into the directory an unsharded run would have written.") { dirs, outDir };
        cmd.SetAction(r =>
        {
            int cells = SweepMerger.Merge(r.GetValue(dirs)!, r.GetValue(outDir)!);
            io.Err.WriteLine($"merge: {cells} cells → {Path.GetFullPath(r.GetValue(outDir)!)}");
            return CliApp.ExitOk;
        });
        return cmd;
    }
}
