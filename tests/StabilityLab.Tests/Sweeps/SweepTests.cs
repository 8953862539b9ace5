using StabilityLab.Models;
using StabilityLab.Sweeps;

namespace StabilityLab.Tests.Sweeps;

/// <summary>Resume, shard + merge and thread-count equality of sweeps, bit for bit.</summary>
public class SweepTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("sweep-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    internal static SweepSpec SmallSpec() => new()
    {
        Blocks = ["post", "res1"],
        Widths = [32],
        Depths = [3, 9, 27],
        Taus = [new TauGridEntry("L^-beta", new Dictionary<string, double[]> { ["beta"] = [0.25, 0.5, 1.0] }), new TauGridEntry("1")],
        Trials = 60,
        Seed = 5,
        Bootstrap = 50,
        TraceDepths = [9],
        Raw = true,
    };

    private string Dir(string name) => Path.Combine(_root, name);

    private static readonly string[] OutputFiles = [SweepRunner.CellsFile, SweepRunner.TracesFile, SweepRunner.RawFile];

    private static void AssertSameOutputs(string expectedDir, string actualDir)
    {
        foreach (var f in OutputFiles)
            Assert.That(File.ReadAllBytes(Path.Combine(actualDir, f)), Is.EqualTo(File.ReadAllBytes(Path.Combine(expectedDir, f))), f);
    }

    [Test]
    public void InterruptedThenResumedRunEqualsAnUninterruptedRunBitForBit()
    {
        var spec = SmallSpec();
        SweepRunner.Run(spec, new SweepRunOptions(Dir("whole")));

        using var cts = new CancellationTokenSource();
        long done = 0;
        long stopAt = SweepRunner.TotalTrialLayers(spec, ShardSpec.Whole) / 2; // progress counts trial-layers
        Assert.Throws<OperationCanceledException>(() => SweepRunner.Run(spec, new SweepRunOptions(Dir("cut"), Threads: 2,
            Progress: n => { if (Interlocked.Add(ref done, n) >= stopAt) cts.Cancel(); }, Cancel: cts.Token)));
        Assert.That(File.Exists(Path.Combine(Dir("cut"), SweepRunner.CellsFile)), Is.False, "no final file before the run completes");
        int kept = Directory.GetFiles(Path.Combine(Dir("cut"), ".partial"), "cell-???????.csv").Length;
        Assert.That(kept, Is.GreaterThan(0).And.LessThan(spec.Cells().Count), "finished cells are kept");

        var resumed = SweepRunner.Run(spec, new SweepRunOptions(Dir("cut"), Resume: true));
        Assert.That(resumed.CellsResumed, Is.EqualTo(kept));
        AssertSameOutputs(Dir("whole"), Dir("cut"));
    }

    [Test]
    public void ResumeCompletesADirectoryKilledBeforeItsManifestWasWritten()
    {
        // The state an early SIGKILL could leave: checkpoints (and a write probe) but no manifest.json.
        var spec = SmallSpec();
        SweepRunner.Run(spec, new SweepRunOptions(Dir("whole")));
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => SweepRunner.Run(spec, new SweepRunOptions(Dir("cut"), Threads: 1,
            Progress: _ => cts.Cancel(), Cancel: cts.Token)));
        File.Delete(Path.Combine(Dir("cut"), "manifest.json"));
        File.WriteAllText(Path.Combine(Dir("cut"), ".write-test-12345"), "");
        Assert.That(Directory.Exists(Path.Combine(Dir("cut"), ".partial")));

        SweepRunner.Run(spec, new SweepRunOptions(Dir("cut"), Resume: true));
        AssertSameOutputs(Dir("whole"), Dir("cut"));
        Assert.That(Directory.GetFileSystemEntries(Dir("cut")).Select(Path.GetFileName).Order(),
            Is.EqualTo(Directory.GetFileSystemEntries(Dir("whole")).Select(Path.GetFileName).Order()));
    }

    [Test]
    public void ResumingACompleteSweepReturnsAtOnceAndLeavesItsFilesAsTheyAre()
    {
        var spec = SmallSpec();
        SweepRunner.Run(spec, new SweepRunOptions(Dir("done")));
        var before = Directory.GetFiles(Dir("done"), "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        var again = SweepRunner.Run(spec, new SweepRunOptions(Dir("done"), Resume: true));
        Assert.That(again.AlreadyComplete, Is.True);
        Assert.That(again.CellsComputed, Is.Zero);
        var after = Directory.GetFiles(Dir("done"), "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        Assert.That(after.Keys, Is.EquivalentTo(before.Keys));
        foreach (var (f, bytes) in before) Assert.That(after[f], Is.EqualTo(bytes), f);
    }

    [Test]
    public void ShardsMergedEqualTheUnshardedRunBitForBit()
    {
        var spec = SmallSpec();
        SweepRunner.Run(spec, new SweepRunOptions(Dir("whole")));
        var shards = Enumerable.Range(0, 4).Select(i => Dir($"shard{i}")).ToArray();
        for (int i = 0; i < 4; i++) SweepRunner.Run(spec, new SweepRunOptions(shards[i], Shard: new ShardSpec(i, 4)));
        SweepMerger.Merge(shards.Reverse().ToArray(), Dir("merged"));
        AssertSameOutputs(Dir("whole"), Dir("merged"));
    }

    [Test]
    public void MergeRefusesMismatchedOverlappingOrMissingShards()
    {
        var spec = SmallSpec();
        var s0 = Dir("s0");
        var s1 = Dir("s1");
        SweepRunner.Run(spec, new SweepRunOptions(s0, Shard: new ShardSpec(0, 2)));
        SweepRunner.Run(spec, new SweepRunOptions(s1, Shard: new ShardSpec(1, 2)));
        var other = Dir("other");
        SweepRunner.Run(spec with { Seed = 6 }, new SweepRunOptions(other, Shard: new ShardSpec(1, 2)));
        var copy = Dir("copy0");
        SweepRunner.Run(spec, new SweepRunOptions(copy, Shard: new ShardSpec(0, 2)));

        Assert.That(Assert.Throws<SpecException>(() => SweepMerger.Merge([s0], Dir("m1")))!.Message, Does.Contain("missing shard"));
        Assert.That(Assert.Throws<SpecException>(() => SweepMerger.Merge([s0, copy, s1], Dir("m2")))!.Message, Does.Contain("overlapping"));
        Assert.That(Assert.Throws<SpecException>(() => SweepMerger.Merge([s0, other], Dir("m3")))!.Message, Does.Contain("different spec"));
        Assert.That(Directory.Exists(Dir("m1")) || Directory.Exists(Dir("m2")) || Directory.Exists(Dir("m3")), Is.False, "a refused merge writes nothing");
    }

    [Test]
    public void ThreadCountDoesNotChangeTheOutputs()
    {
        var spec = SmallSpec();
        SweepRunner.Run(spec, new SweepRunOptions(Dir("t1"), Threads: 1));
        SweepRunner.Run(spec, new SweepRunOptions(Dir("t3"), Threads: 3));
        AssertSameOutputs(Dir("t1"), Dir("t3"));
    }

    [Test]
    public void ManifestReproducesTheRun()
    {
        var spec = SmallSpec();
        SweepRunner.Run(spec, new SweepRunOptions(Dir("a")));
        var again = SweepSpec.FromJsonFile(Path.Combine(Dir("a"), SweepManifest.FileName));
        Assert.That(again.ToJson(), Is.EqualTo(spec.ToJson()));
        SweepRunner.Run(again, new SweepRunOptions(Dir("b")));
        AssertSameOutputs(Dir("a"), Dir("b"));
    }

    [Test]
    public void CellsMatchSampleOfTheSameCell()
    {
        // A cell's numbers do not depend on the sweep around it: same seed, same cell → same row.
        var spec = SmallSpec() with { Raw = false, TraceDepths = [] };
        SweepRunner.Run(spec, new SweepRunOptions(Dir("grid")));
        var lines = File.ReadAllLines(Path.Combine(Dir("grid"), SweepRunner.CellsFile));
        var single = spec with { Blocks = ["res1"], Depths = [27], Taus = [new TauGridEntry("1")] };
        SweepRunner.Run(single, new SweepRunOptions(Dir("one")));
        var one = File.ReadAllLines(Path.Combine(Dir("one"), SweepRunner.CellsFile))[1];
        Assert.That(lines, Does.Contain(one));
    }

    [Test]
    public void ResumeRefusesADirectoryOfAnotherSweepAndFreshRunRefusesANonEmptyDirectory()
    {
        var spec = SmallSpec() with { Depths = [3], TraceDepths = [] };
        SweepRunner.Run(spec, new SweepRunOptions(Dir("x")));
        Assert.That(Assert.Throws<SpecException>(() => SweepRunner.Run(spec, new SweepRunOptions(Dir("x"))))!.Message, Does.Contain("not empty"));
        Assert.That(Assert.Throws<SpecException>(() => SweepRunner.Run(spec with { Seed = 99 }, new SweepRunOptions(Dir("x"), Resume: true)))!.Message,
            Does.Contain("different sweep"));
    }

    [Test]
    public void GridValuesParseListsAndRanges()
    {
        Assert.That(GridValues.ParseIntegers("4..4096x2", "depth"), Is.EqualTo(new[] { 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096 }));
        Assert.That(GridValues.ParseIntegers("10..40+10,64", "depth"), Is.EqualTo(new[] { 10, 20, 30, 40, 64 }));
        var betas = GridValues.ParseNumbers("0:1:33", "beta");
        Assert.That(betas, Has.Length.EqualTo(33));
        Assert.That(betas[0], Is.Zero);
        Assert.That(betas[32], Is.EqualTo(1.0));
        Assert.That(betas[16], Is.EqualTo(0.5));
        Assert.Throws<SpecException>(() => GridValues.ParseIntegers("4..64x1", "depth"));
        Assert.Throws<SpecException>(() => GridValues.ParseIntegers("1.5", "depth"));
        Assert.Throws<SpecException>(() => GridValues.ParseNumbers("", "depth"));
        Assert.Throws<SpecException>(() => GridValues.ParseNumbers("NaN", "beta"));
    }
}
