using System.Diagnostics;

namespace StabilityLab.Tests;

/// <summary>
/// The `stabilitylab` command of this test run's build as a child process (dotnet stabilitylab.dll), for tests that
/// signal or kill it; <see cref="CliHarness"/> runs it in process instead.
/// </summary>
internal static class ChildCli
{
    /// <summary>The built command: `dotnet` runs it.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "stabilitylab.dll");

    /// <summary>Starts `stabilitylab ARGS` with its standard output and error captured.</summary>
    public static Process Start(params string[] args) =>
        Process.Start(new ProcessStartInfo("dotnet", [Dll, .. args]) { RedirectStandardError = true, RedirectStandardOutput = true })!;

    /// <summary>Starts `stabilitylab ARGS` and returns once <paramref name="ready"/> holds (or after <paramref name="seconds"/>).</summary>
    public static Process StartAndWaitFor(string[] args, Func<bool> ready, double seconds = 120)
    {
        var p = Start(args);
        WaitUntil(ready, seconds);
        return p;
    }

    /// <summary>Polls <paramref name="done"/> every <paramref name="pollMs"/> ms; false when it still fails after <paramref name="seconds"/>.</summary>
    public static bool WaitUntil(Func<bool> done, double seconds, int pollMs = 20)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed.TotalSeconds > seconds) return false;
            Thread.Sleep(pollMs);
        }
        return true;
    }

    /// <summary>Sends a signal by name (TERM, INT, KILL) with kill(1).</summary>
    public static void Signal(Process p, string signal) => Process.Start("kill", [$"-{signal}", p.Id.ToString()])!.WaitForExit();

    /// <summary>Every file under a directory with its bytes (hex), to see that a refused command left it as it was.</summary>
    public static Dictionary<string, string> Snapshot(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => f,
            // The held lock file cannot be opened; its name is what counts.
            f => Path.GetFileName(f) == StabilityLab.Output.OutputLock.FileName ? "" : Convert.ToHexString(File.ReadAllBytes(f)));
}
