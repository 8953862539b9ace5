using StabilityLab.Cli;
using StabilityLab.Output;
using StabilityLab.Spectral;
using StabilityLab.Torch.Spectral;

namespace StabilityLab.Tests.Spectral;

/// <summary>
/// `stabilitylab spectrum` stopped at any moment (SIGTERM, SIGINT, SIGKILL; early, mid-cell, between cells) and
/// resumed gives the same bytes as a straight run (issue #17); a foreign directory or one held by another process
/// is refused and left as it was; resuming a finished study changes nothing.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class SpectrumResumeTests
{
    // 8 cells, about a second each here, with every per-trial file.
    private static readonly string[] Args = ["spectrum", "--width", "24", "--depth", "4,8,16,32", "--tau", "1/sqrt(L)", "--tau", "1", "--trials", "16",
        "--inputs", "4", "--seed", "3", "--threads", "1", "--raw", "--svd"];
    private static readonly string[] DataFiles = [SpectraTable.FileName, SpectralStudy.TrialsFile, SpectralStudy.SingularValuesFile];

    private string _root = "";
    private string? _straight;
    private int _threads;

    [OneTimeSetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("sl-spectrum-resume-").FullName;

    [OneTimeTearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    // The in-process runs set libtorch's process-wide thread count: put it back for the other tests.
    [SetUp]
    public void SaveThreads() => _threads = TorchSharp.torch.get_num_threads();

    [TearDown]
    public void RestoreThreads() => TorchSharp.torch.set_num_threads(_threads);

    /// <summary>The study run straight through once, for every comparison.</summary>
    private string Straight()
    {
        if (_straight is null)
        {
            var dir = Path.Combine(_root, "straight");
            var (code, _, err) = CliHarness.Run([.. Args, "--out", dir]);
            Assert.That(code, Is.EqualTo(CliApp.ExitOk), err);
            _straight = dir;
        }
        return _straight;
    }

    private static int FinishedCells(string dir)
    {
        var path = Path.Combine(dir, SpectraTable.FileName);
        try { return File.Exists(path) ? File.ReadAllLines(path).Length - 1 : 0; }
        catch (IOException) { return 0; }
    }

    // Stop points: a signal once N cells are in spectra.csv (0: as soon as the lock is taken, before any cell).
    [TestCase("KILL", 0)]
    [TestCase("KILL", 1)]
    [TestCase("KILL", 4)]
    [TestCase("TERM", 2)]
    [TestCase("INT", 3)]
    public void AStudyStoppedAtAnyMomentResumesToTheSameBytes(string signal, int afterCells)
    {
        var dir = Path.Combine(_root, $"{signal}-{afterCells}");
        bool Ready() => afterCells == 0 ? File.Exists(Path.Combine(dir, OutputLock.PidFileName)) : FinishedCells(dir) >= afterCells;
        using (var p = ChildCli.StartAndWaitFor([.. Args, "--out", dir], Ready))
        {
            ChildCli.Signal(p, signal);
            p.WaitForExit();
            string err = p.StandardError.ReadToEnd();
            Assert.That(p.ExitCode, Is.EqualTo(signal switch { "TERM" => 143, "INT" => 130, _ => 137 }), err);
            if (signal != "KILL")
            {
                Assert.That(err, Does.Contain("--resume"));
                Assert.That(RunManifest.StatusOf(RunManifest.Read(dir)), Is.EqualTo(RunStatus.Interrupted));
                Assert.That(Directory.GetFiles(dir, "*.tmp"), Is.Empty, "a graceful stop leaves no temporary file");
            }
        }
        Assert.That(FinishedCells(dir), Is.InRange(afterCells, 7), "stopped before the last cell");

        var resumed = CliHarness.Run([.. Args, "--out", dir, "--resume"]);
        Assert.That(resumed.Code, Is.EqualTo(CliApp.ExitOk), resumed.Err);
        if (afterCells > 0) Assert.That(resumed.Err, Does.Match(@"\d+ kept from before"));
        Assert.That(RunManifest.StatusOf(RunManifest.Read(dir)), Is.EqualTo(RunStatus.Complete));
        foreach (var f in DataFiles)
            Assert.That(File.ReadAllBytes(Path.Combine(dir, f)), Is.EqualTo(File.ReadAllBytes(Path.Combine(Straight(), f))), $"{f}: stopped and resumed = straight");
    }

    [Test]
    public void ResumingAFinishedStudyChangesNothing()
    {
        var before = ChildCli.Snapshot(Straight());
        var (code, stdout, err) = CliHarness.Run([.. Args, "--out", Straight(), "--resume"]);
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), err);
        Assert.That(err, Does.Contain("already complete"));
        Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1 + 8), "the table shows every cell");
        Assert.That(ChildCli.Snapshot(Straight()), Is.EqualTo(before));
    }

    private static IEnumerable<TestCaseData> Refusals()
    {
        yield return new TestCaseData(new[] { "--resume" }, "notes.txt", "not a spectral study").SetName("spectrum --resume refuses a folder of foreign files");
        yield return new TestCaseData(Array.Empty<string>(), "notes.txt", "not empty").SetName("spectrum refuses a non-empty folder");
        yield return new TestCaseData(new[] { "--resume" }, null, "in use by another stabilitylab process").SetName("spectrum refuses a folder another process holds");
    }

    [TestCaseSource(nameof(Refusals))]
    public void AForeignOrHeldDirectoryIsRefusedAndLeftAsItIs(string[] extra, string? foreignFile, string message)
    {
        var dir = Path.Combine(_root, "refused-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        if (foreignFile is not null) File.WriteAllText(Path.Combine(dir, foreignFile), "mine");
        using var hold = foreignFile is null ? OutputLock.Take(dir) : null;
        var before = ChildCli.Snapshot(dir);
        var (code, stdout, stderr) = CliHarness.Run([.. Args, "--out", dir, .. extra]);
        Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
        Assert.That(stderr, Does.Match(@"^[^\r\n]*\r?\n$").And.Contain(message));
        Assert.That(stdout, Is.Empty);
        Assert.That(ChildCli.Snapshot(dir), Is.EqualTo(before));
    }

    [Test]
    public void ResumingWithOtherSettingsIsRefused()
    {
        var dir = Path.Combine(_root, "other-settings");
        var first = CliHarness.Run("spectrum", "--width", "8", "--depth", "2", "--trials", "2", "--inputs", "0", "--threads", "1", "--out", dir);
        Assert.That(first.Code, Is.EqualTo(CliApp.ExitOk), first.Err);
        var before = ChildCli.Snapshot(dir);
        var (code, _, stderr) = CliHarness.Run("spectrum", "--width", "8", "--depth", "2", "--trials", "3", "--inputs", "0", "--threads", "1", "--out", dir, "--resume");
        Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
        Assert.That(stderr, Does.Contain("spec"));
        Assert.That(ChildCli.Snapshot(dir), Is.EqualTo(before));
    }
}
