using System.Diagnostics;

namespace StabilityLab.Tests.Packaging;

/// <summary>Runs dotnet (pack, tool install, a built program) in a child process, as a user's shell would.</summary>
internal static class DotnetProcess
{
    /// <summary>This test assembly lives in bin/&lt;configuration&gt;/&lt;tfm&gt;/: what it packs or runs was built in the same configuration.</summary>
    public static string BuildConfiguration =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>dotnet with these arguments; the test fails, with its output, unless it exits 0.</summary>
    public static string Dotnet(params string[] args)
    {
        var (code, stdout, stderr) = Run("dotnet", args);
        Assert.That(code, Is.Zero, $"dotnet {string.Join(' ', args)} failed:\n{stdout}\n{stderr}");
        return stdout;
    }

    /// <summary>Exit code, standard output and standard error; the test fails if the program runs past <paramref name="minutes"/>.</summary>
    public static (int Code, string Out, string Err) Run(string file, string[] args, int minutes = 5)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // The test host's MSBuild settings must not leak into the child dotnet.
        foreach (var name in new[] { "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
            info.Environment.Remove(name);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(minutes)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in {minutes} minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
