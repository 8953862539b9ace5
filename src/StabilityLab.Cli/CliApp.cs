using System.CommandLine;
using StabilityLab.Cli.Commands;
using StabilityLab.Fitting;
using StabilityLab.Models;

namespace StabilityLab.Cli;

/// <summary>The `stabilitylab` command: parse, dispatch, and turn bad input into one line and exit 2.</summary>
public static class CliApp
{
    /// <summary>Every check passed.</summary>
    public const int ExitOk = 0;
    /// <summary>A check failed: the data contradict a claim.</summary>
    public const int ExitContradiction = 1;
    public const int ExitBadInput = 2;
    /// <summary>Nothing failed, but some check could not decide (too few data, or not computable).</summary>
    public const int ExitInconclusive = 3;
    public const int ExitInternalError = 70;
    /// <summary>The disk filled up while writing (sysexits EX_IOERR); finished work is kept.</summary>
    public const int ExitIoError = 74;

    /// <summary>The "no space left on device" error inside <paramref name="e"/> (ENOSPC on Unix, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows), or null.</summary>
    public static IOException? DiskFull(Exception e) => e switch
    {
        IOException io when io.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027)
            || io.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase) => io,
        AggregateException a => a.InnerExceptions.Select(DiskFull).FirstOrDefault(x => x is not null),
        _ when e.InnerException is { } inner => DiskFull(inner),
        _ => null,
    };

    /// <summary>The exit code of a family of verdicts (`fit`, `verify`): 1 on any FAIL, else 3 on any INCONCLUSIVE, else 0.</summary>
    public static int ExitCodeFor(IEnumerable<Verdict> verdicts)
    {
        var outcomes = verdicts.Select(v => v.Result).ToList();
        return outcomes.Contains(VerdictOutcome.Fail) ? ExitContradiction
            : outcomes.Contains(VerdictOutcome.Inconclusive) ? ExitInconclusive : ExitOk;
    }

    /// <summary>The exit codes of `fit` and `verify`, for their help text.</summary>
    public const string VerdictExitCodes = "exit 0 when every check passes, 1 when one fails, 3 when none fails but one is inconclusive, 2 on bad input";

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var io = new CliIo(stdout ?? Console.Out, stderr ?? Console.Error);
        var root = new RootCommand("StabilityLab: measure the forward/backward stability of deep ResNets at initialization (Zhang et al., τ = O(1/√L)).")
        {
            ReproduceCommand.Build(io),
            CheckCommand.Build(io),
            SampleCommand.Build(io),
            SweepCommand.Build(io),
            MergeCommand.Build(io),
            FitCommand.Build(io),
            VerifyCommand.Build(io),
            BenchCommand.Build(io),
            PlotCommand.Build(io),
            TrainCommand.Build(io),
            SpectrumCommand.Build(io),
            TheoryCommand.Build(io),
            TrainStudyCommand.Build(io),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line: the first specific problem (for an unknown command that is its name, not "Required command").
            var first = parsed.Errors.Select(e => e.Message).FirstOrDefault(m => !m.StartsWith("Required command", StringComparison.Ordinal))
                        ?? parsed.Errors[0].Message;
            io.Error("stabilitylab: " + first);
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
        catch (Exception e) when (DiskFull(e) is { } full)
        {
            io.Error($"stabilitylab: no space left on device ({full.Message.Split('\n')[0]}); free some space, then run the same command with --resume where it has one");
            return ExitIoError;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug, not bad input: still one line (the type says where to look), and no stack trace.
            io.Error($"stabilitylab: internal error ({e.GetType().Name}): {e.Message.Split('\n')[0]}");
            // STABILITYLAB_TRACE=1 adds the stack trace, for a bug report.
            if (Environment.GetEnvironmentVariable("STABILITYLAB_TRACE") == "1") io.Error(e.ToString());
            return ExitInternalError;
        }
    }
}

/// <summary>Where a command writes: standard output for results, standard error for messages and progress.</summary>
public sealed record CliIo(TextWriter Out, TextWriter Err)
{
    public void Error(string line) => Err.WriteLine(line);

    /// <summary>A Spectre console on standard output without ANSI codes or colour: tables that read the same in a file or a pipe.</summary>
    public Spectre.Console.IAnsiConsole PlainConsole() => Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
    {
        Out = new Spectre.Console.AnsiConsoleOutput(Out), Ansi = Spectre.Console.AnsiSupport.No, ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
    });
}
