using System.ComponentModel;
using System.Diagnostics;

namespace StabilityLab.Tests.Cluster;

/// <summary>
/// The Slurm cluster the client commands reach (SLURM_CONF, or the machine's own configuration); in CI, the one-node
/// cluster `.ci/slurm-up` starts. Runs sbatch, squeue and scontrol with a time limit.
/// </summary>
internal static class SlurmCluster
{
    /// <summary>Null when a node of the cluster accepts jobs; else why not.</summary>
    public static string? Unavailable()
    {
        var (code, stdout, stderr) = Exec("sinfo", null, "-h", "-o", "%t");
        if (code != 0) return $"sinfo failed (exit {code}): {stderr.Trim()}";
        var states = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return states.Any(s => s is "idle" or "mix" or "alloc") ? null : $"no Slurm node accepts jobs (states: {string.Join(", ", states)})";
    }

    /// <summary>Runs a Slurm client command; exit 127 when it is not installed. <paramref name="env"/> adds to this process's environment.</summary>
    public static (int Code, string Out, string Err) Exec(string command, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        Process p;
        try { p = Process.Start(psi)!; }
        catch (Win32Exception e) { return (127, "", $"{command}: {e.Message} (is Slurm installed? .ci/slurm-up installs and starts it)"); }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                p.Kill(entireProcessTree: true);
                return (124, "", $"{command} {string.Join(' ', args)}: no answer within 30 s");
            }
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
    }

    /// <summary>Runs a Slurm client command that must succeed; returns its standard output, trimmed.</summary>
    public static string Must(string command, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var (code, stdout, stderr) = Exec(command, env, args);
        if (code != 0) Assert.Fail($"{command} {string.Join(' ', args)} exited {code}: {stderr.Trim()}");
        return stdout.Trim();
    }

    /// <summary>The job's state as scontrol reports it (COMPLETED, FAILED, PENDING, ...), or null once it is forgotten.</summary>
    public static string? State(string jobId)
    {
        var (code, stdout, _) = Exec("scontrol", null, "show", "job", "-o", jobId);
        if (code != 0) return null;
        var field = stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(f => f.StartsWith("JobState=", StringComparison.Ordinal));
        return field?["JobState=".Length..];
    }

    /// <summary>Every job the cluster knows, one line each (id, state, reason, begin time), for a failure's message.</summary>
    public static string Jobs()
    {
        var (_, stdout, stderr) = Exec("scontrol", null, "show", "job", "-o");
        var fields = new[] { "JobId=", "ArrayJobId=", "ArrayTaskId=", "JobState=", "Reason=", "Dependency=", "EligibleTime=", "ExitCode=" };
        return string.Join("; ", stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split(' ').Where(f => fields.Any(k => f.StartsWith(k, StringComparison.Ordinal)))))) + stderr.Trim();
    }
}
