using StabilityLab.Cli;

namespace StabilityLab.Tests;

/// <summary>Runs the `stabilitylab` command in process and captures what it writes.</summary>
internal static class CliHarness
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
