using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using StabilityLab.Randomness;

namespace StabilityLab.Output;

/// <summary>Provenance for manifests: tool version, git commit when known, and the machine.</summary>
public static class RunInfo
{
    public static string Version { get; } =
        typeof(RunInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(RunInfo).Assembly.GetName().Version?.ToString() ?? "unknown";

    private static readonly Lazy<string?> Commit = new(ReadCommit);

    /// <summary>The commit of the checkout the tool was built in, or null outside a git checkout.</summary>
    public static string? GitCommit => Commit.Value;

    public static object Machine() => new
    {
        cores = Environment.ProcessorCount,
        os = RuntimeInformation.OSDescription,
        architecture = RuntimeInformation.OSArchitecture.ToString(),
        runtime = RuntimeInformation.FrameworkDescription,
        simd = SimdPaths.Best.ToString(),
    };

    private static string? ReadCommit()
    {
        try
        {
            var psi = new ProcessStartInfo("git", ["-C", AppContext.BaseDirectory, "rev-parse", "HEAD"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            if (p is null) return null;
            var text = p.StandardOutput.ReadToEnd().Trim();
            if (!p.WaitForExit(5000)) return null;
            return p.ExitCode == 0 && text.Length >= 7 ? text : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
