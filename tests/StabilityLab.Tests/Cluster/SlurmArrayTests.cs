using System.Text.RegularExpressions;
using StabilityLab.Cli;

namespace StabilityLab.Tests.Cluster;

/// <summary>
/// The README's Slurm job array, run for real (issue #16 item 5): scripts/slurm/sweep-array.sbatch on a small grid,
/// one task requeued mid-run (its --resume continues from its finished cells), scripts/slurm/merge.sbatch after the
/// array; the merged directory equals an unsharded run byte for byte. `.ci/run` starts the one-node cluster
/// (.ci/slurm-up); in CI (CI=true) a cluster that is not there fails the test, elsewhere it is ignored.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class SlurmArrayTests
{
    private const string ArrayScript = "scripts/slurm/sweep-array.sbatch";
    private const string MergeScript = "scripts/slurm/merge.sbatch";
    // 21 cells in 3 shards of 7 (about 4 s each here); the cells grow with depth, so a shard is still running
    // when its first cell is sealed.
    private const string SmallGrid = "--width 64 --depth 8..512x2 --tau L^-beta --param beta=0:1:3 --trials 2000 --seed 1";
    private const int Shards = 3;

    private string _work = "";
    private readonly List<string> _jobs = [];

    [SetUp]
    public void SetUp() => _work = Directory.CreateTempSubdirectory("stabilitylab-slurm-").FullName;

    [TearDown]
    public void TearDown()
    {
        // A failed test leaves no job behind.
        foreach (var job in _jobs) SlurmCluster.Exec("scancel", null, job);
        Directory.Delete(_work, recursive: true);
    }

    [TestCase(ArrayScript)]
    [TestCase(MergeScript)]
    public void TheReadmeShowsTheScriptTheTestRuns(string script)
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        var block = Regex.Match(readme, $@"<!-- file: {Regex.Escape(script)} -->\r?\n```sh\r?\n(?<body>.*?)```", RegexOptions.Singleline);
        Assert.That(block.Success, Is.True, $"README.md has a ```sh block marked <!-- file: {script} -->");
        Assert.That(block.Groups["body"].Value, Is.EqualTo(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, script))));
    }

    [Test]
    public void AJobArrayWithARequeuedTaskMergesToTheUnshardedRun()
    {
        if (SlurmCluster.Unavailable() is { } why)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail($"CI must run the Slurm test, but {why}");
            Assert.Ignore($"no Slurm cluster here ({why}); .ci/slurm-up DIR starts one");
        }

        // The job finds `stabilitylab` on PATH, as an installed .NET tool would be: here, this test run's build.
        var bin = Directory.CreateDirectory(Path.Combine(_work, "bin")).FullName;
        var command = Path.Combine(bin, "stabilitylab");
        File.WriteAllText(command, $"#!/bin/sh\nexec dotnet \"{ChildCli.Dll}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(command, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var env = new Dictionary<string, string> { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"), ["SPEC"] = SmallGrid };

        // The script's resources are for a real grid; this one needs a CPU per task and a few minutes.
        string[] common = ["--parsable", "--chdir", _work, "--time", "00:05:00", "--open-mode", "append"];
        string array = SlurmCluster.Must("sbatch", env, [.. common, "--array", $"0-{Shards - 1}", "--cpus-per-task", "1",
            "--output", Path.Combine(_work, "task-%a.log"), Path.Combine(TestPaths.RepoRoot, ArrayScript)]).Split(';')[0];
        _jobs.Add(array);
        string merge = SlurmCluster.Must("sbatch", env, [.. common, "--dependency", $"afterok:{array}",
            "--output", Path.Combine(_work, "merge.log"), Path.Combine(TestPaths.RepoRoot, MergeScript)]).Split(';')[0];
        _jobs.Add(merge);

        // Task 0, once it has sealed a cell and before it ends: requeue it (Slurm stops it with SIGTERM and queues it
        // again). A requeued job waits two minutes by default before it may start; let it start at once.
        var partial = Path.Combine(_work, "runs", "beta-0", ".partial");
        Assert.That(ChildCli.WaitUntil(() => Directory.Exists(partial) && Directory.GetFiles(partial, "*.sha256").Length > 0, 60, pollMs: 50),
            Is.True, $"task 0 sealed no cell within 60 s; its log: {Log("task-0.log")}");
        SlurmCluster.Must("scontrol", null, "requeue", $"{array}_0");
        // The requeue takes effect (and sets the delay) once the task has stopped, after scontrol returns.
        Assert.That(ChildCli.WaitUntil(() => SlurmCluster.State($"{array}_0") == "PENDING", 60, pollMs: 100), Is.True,
            $"task 0 was not requeued within 60 s: {SlurmCluster.Jobs()}");
        SlurmCluster.Must("scontrol", null, "update", $"jobid={array}_0", "StartTime=now");

        // Meanwhile, the same grid unsharded, in this process.
        var whole = Path.Combine(_work, "whole");
        var straight = CliHarness.Run(["sweep", .. SmallGrid.Split(' '), "--threads", "1", "--out", whole]);
        Assert.That(straight.Code, Is.EqualTo(CliApp.ExitOk), straight.Err);

        Assert.That(ChildCli.WaitUntil(() => SlurmCluster.State(merge) is not ("PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING"), 120, pollMs: 250),
            Is.True, $"the merge job did not finish within 120 s: {SlurmCluster.Jobs()}");
        for (int i = 0; i < Shards; i++)
            Assert.That(SlurmCluster.State($"{array}_{i}"), Is.EqualTo("COMPLETED"), $"task {i}; its log: {Log($"task-{i}.log")}");
        Assert.That(SlurmCluster.State(merge), Is.EqualTo("COMPLETED"), $"merge; its log: {Log("merge.log")}");

        // The requeued task was stopped, then resumed with its sealed cells kept and the rest computed.
        var log0 = Log("task-0.log");
        Assert.That(log0, Does.Contain("interrupted"));
        var summary = Regex.Match(log0, @"\((?<computed>\d+) computed, (?<resumed>\d+) resumed\)");
        Assert.That(summary.Success, Is.True, log0);
        Assert.That(int.Parse(summary.Groups["resumed"].Value), Is.Positive, "cells kept from before the requeue");
        Assert.That(int.Parse(summary.Groups["computed"].Value), Is.Positive, "cells computed after the requeue");

        var merged = Path.Combine(_work, "runs", "beta");
        string[] Data(string dir) => Directory.GetFiles(dir).Select(Path.GetFileName).Where(f => f != "manifest.json").Order().ToArray()!;
        Assert.That(Data(merged), Is.EqualTo(Data(whole)).And.Contains("cells.csv"));
        foreach (var f in Data(whole))
            Assert.That(File.ReadAllBytes(Path.Combine(merged, f)), Is.EqualTo(File.ReadAllBytes(Path.Combine(whole, f))), $"{f}: merged = unsharded");
    }

    private string Log(string name)
    {
        var path = Path.Combine(_work, name);
        return File.Exists(path) ? File.ReadAllText(path) : "(none)";
    }
}
