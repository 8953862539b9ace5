using System.CommandLine;
using StabilityLab.Cli.Commands;
using StabilityLab.Models;

namespace StabilityLab.Cli;

/// <summary>The `stabilitylab` command: parse, dispatch, and turn bad input into one line and exit 2.</summary>
public static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitContradiction = 1;
    public const int ExitBadInput = 2;

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var io = new CliIo(stdout ?? Console.Out, stderr ?? Console.Error);
        var root = new RootCommand("StabilityLab: measure the forward/backward stability of deep ResNets at initialization (Zhang et al., τ = O(1/√L)).")
        {
            SampleCommand.Build(io),
            SweepCommand.Build(io),
            MergeCommand.Build(io),
            BenchCommand.Build(io),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line naming every problem (an unknown command is reported after "Required command").
            io.Error("stabilitylab: " + string.Join("; ", parsed.Errors.Select(e => e.Message).Reverse()));
            return ExitBadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = io.Out, Error = io.Err, EnableDefaultExceptionHandler = false });
        }
        catch (SpecException e)
        {
            io.Error($"stabilitylab: {e.Message}");
            return ExitBadInput;
        }
    }
}

/// <summary>Where a command writes: standard output for results, standard error for messages and progress.</summary>
public sealed record CliIo(TextWriter Out, TextWriter Err)
{
    public void Error(string line) => Err.WriteLine(line);
}
