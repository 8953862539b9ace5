using System.Reflection;

namespace StabilityLab.Cli;

/// <summary>The command line that starts this tool again, for worker processes (<see cref="StabilityLab.Torch.Training.TrainingWorkers"/>).</summary>
public static class WorkerCommand
{
    /// <summary>
    /// The running apphost when this process is the tool (a build output's `stabilitylab`, an installed tool's shim);
    /// otherwise (the tool's code hosted by another program, such as a test host) the apphost beside the tool's dll, or
    /// the dotnet host with that dll. Null when none of these exists.
    /// </summary>
    public static IReadOnlyList<string>? Of()
    {
        var dll = typeof(CliApp).Assembly.Location;
        var process = Environment.ProcessPath;
        bool hosted = Assembly.GetEntryAssembly() != typeof(CliApp).Assembly;
        string host = Path.GetFileNameWithoutExtension(process ?? "");
        if (!hosted && process is not null && host != "dotnet") return [process];
        if (string.IsNullOrEmpty(dll)) return null;
        var apphost = Path.Combine(Path.GetDirectoryName(dll)!, OperatingSystem.IsWindows() ? "stabilitylab.exe" : "stabilitylab");
        if (File.Exists(apphost)) return [apphost];
        string dotnet = process is not null && host == "dotnet" ? process : "dotnet";
        return [dotnet, dll];
    }
}
