using System.Diagnostics;
using StabilityLab.Cli;

namespace StabilityLab.Tests.Sweeps;

/// <summary>The sweep command from the outside: bad specs, and a process killed mid-run.</summary>
public class SweepCliTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("sweep-cli-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliHarness.Run(args);

    public static IEnumerable<TestCaseData> BadSpecs()
    {
        yield return new TestCaseData(new[] { "--depth", "" }, "depth").SetName("empty depth grid");
        yield return new TestCaseData(new[] { "--tau", "-0.5" }, "τ").SetName("tau below zero");
        yield return new TestCaseData(new[] { "--tau", "0" }, "τ").SetName("tau zero");
        yield return new TestCaseData(new[] { "--tau", "NaN" }, "τ").SetName("tau NaN");
        yield return new TestCaseData(new[] { "--tau", "L^-beta", "--param", "beta=NaN" }, "beta").SetName("parameter NaN");
        yield return new TestCaseData(new[] { "--tau", "L^-beta" }, "beta").SetName("family without values");
        yield return new TestCaseData(new[] { "--depth", "0" }, "depth").SetName("depth zero");
        yield return new TestCaseData(new[] { "--width", "0" }, "width").SetName("width zero");
        yield return new TestCaseData(new[] { "--block", "res4" }, "block").SetName("unknown block");
        yield return new TestCaseData(new[] { "--trials", "0" }, "trials").SetName("no trials");
        yield return new TestCaseData(new[] { "--shard", "4/4" }, "shard").SetName("shard out of range");
        yield return new TestCaseData(new[] { "--param", "c=0.1" }, "--param c").SetName("unused parameter");
    }

    [TestCaseSource(nameof(BadSpecs))]
    public void BadSpecGivesOneLineAndExitTwoAndWritesNothing(string[] extra, string mentions)
    {
        var outDir = Path.Combine(_root, "out");
        var (code, stdout, stderr) = Cli(["sweep", "--out", outDir, "--width", "8", "--depth", "2", "--trials", "2", .. extra]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain(mentions));
        Assert.That(stdout, Is.Empty);
        Assert.That(Directory.Exists(outDir), Is.False);
    }

    [Test]
    public void MalformedSpecFileAndSpecWithGridFlagsAreRejected()
    {
        var bad = Path.Combine(_root, "bad.json");
        File.WriteAllText(bad, "{ \"depths\": [4, ");
        var (code, _, err) = Cli("sweep", "--spec", bad, "--out", Path.Combine(_root, "o1"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("malformed"));
        File.WriteAllText(bad, "{ \"depths\": [] }");
        (code, _, err) = Cli("sweep", "--spec", bad, "--out", Path.Combine(_root, "o2"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("empty grid"));
        File.WriteAllText(bad, "{ \"depths\": [4] }");
        (code, _, err) = Cli("sweep", "--spec", bad, "--depth", "8", "--out", Path.Combine(_root, "o3"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--depth"));
    }

    [Test]
    public void UnwritableOutputIsRejected()
    {
        var file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");
        var (code, _, err) = Cli("sweep", "--out", Path.Combine(file, "sub"), "--width", "8", "--depth", "2", "--trials", "2");
        Assert.That(code, Is.EqualTo(2), err);
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    private static Dictionary<string, string> Snapshot(string dir) => ChildCli.Snapshot(dir);

    [Test]
    public void ASecondWriterIsRefusedAndAStaleLockFileBlocksNobody()
    {
        var outDir = Path.Combine(_root, "busy");
        string[] args = ["sweep", "--out", outDir, "--width", "8", "--depth", "2", "--trials", "2", "--resume"];
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "mine.txt"), "x");
        using (StabilityLab.Output.OutputLock.Take(outDir))
        {
            var before = Snapshot(outDir);
            var (code, stdout, err) = Cli(args);
            Assert.That(code, Is.EqualTo(2), err);
            Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), err);
            Assert.That(err, Does.Contain($"{outDir} is in use by another stabilitylab process (pid {Environment.ProcessId})"));
            Assert.That(stdout, Is.Empty);
            Assert.That(Snapshot(outDir), Is.EqualTo(before), "the refused writer wrote nothing");
        }
        Assert.That(Directory.GetFiles(outDir), Is.EqualTo(new[] { Path.Combine(outDir, "mine.txt") }), "the lock goes with its holder");

        // What a holder killed by SIGKILL leaves: lock and pid files that no process holds.
        var stale = Path.Combine(_root, "stale");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, StabilityLab.Output.OutputLock.FileName), "");
        File.WriteAllText(Path.Combine(stale, StabilityLab.Output.OutputLock.PidFileName), "999999\n");
        var (ok, _, okErr) = Cli("sweep", "--out", stale, "--width", "8", "--depth", "2", "--trials", "2");
        Assert.That(ok, Is.EqualTo(0), okErr);
        Assert.That(Directory.GetFileSystemEntries(stale).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "cells.csv", "manifest.json" }));
        var done = Snapshot(stale);
        var (again, _, againErr) = Cli("sweep", "--out", stale, "--width", "8", "--depth", "2", "--trials", "2", "--resume");
        Assert.That(again, Is.EqualTo(0), againErr);
        Assert.That(againErr, Does.Contain("already complete"));
        Assert.That(Snapshot(stale), Is.EqualTo(done), "resuming a complete sweep changes nothing");
    }

    [TestCase("TERM", 143)]
    [TestCase("INT", 130)]
    [TestCase("KILL", 137)]
    public void AKilledRunLeavesNoPartialFileAndResumes(string signal, int exitCode)
    {
        var outDir = Path.Combine(_root, "run");
        string[] args = ["sweep", "--out", outDir, "--width", "256", "--depth", "16..1024x2", "--tau", "1/sqrt(L)", "--tau", "1", "--trials", "400", "--bootstrap", "20"];
        var partial = Path.Combine(outDir, ".partial");
        using var p = ChildCli.StartAndWaitFor(args, () => Directory.Exists(partial) && Directory.GetFiles(partial, "cell-???????.csv").Length >= 3, 60);
        ChildCli.Signal(p, signal);
        p.WaitForExit();
        if (signal != "KILL")
        {
            // The shell's convention, 128 + the signal's number; the manifest records the stop.
            Assert.That(p.ExitCode, Is.EqualTo(exitCode), p.StandardError.ReadToEnd());
            Assert.That(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories), Is.Empty, "a graceful stop leaves no temporary file");
            Assert.That(StabilityLab.Output.RunManifest.StatusOf(StabilityLab.Output.RunManifest.Read(outDir)), Is.EqualTo(StabilityLab.Output.RunStatus.Interrupted));
        }
        Assert.That(File.Exists(Path.Combine(outDir, "cells.csv")), Is.False);
        // Every checkpoint under its final name is whole: one row with every column.
        var rows = Directory.GetFiles(partial, "cell-???????.csv");
        Assert.That(rows, Is.Not.Empty);
        foreach (var f in rows)
        {
            var text = File.ReadAllText(f);
            Assert.That(text, Does.EndWith("\n"));
            Assert.That(text.TrimEnd('\n').Split(',').Length, Is.EqualTo(StabilityLab.Tables.CellsTable.Names.Count));
        }
        var (code, _, err) = Cli([.. args, "--resume"]);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(File.ReadAllLines(Path.Combine(outDir, "cells.csv")), Has.Length.EqualTo(1 + 7 * 2));
        Assert.That(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories), Is.Empty, "resume cleans up");
    }
}
