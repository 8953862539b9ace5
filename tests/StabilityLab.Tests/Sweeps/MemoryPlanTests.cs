using StabilityLab.Models;
using StabilityLab.Sampling;
using StabilityLab.Sweeps;

namespace StabilityLab.Tests.Sweeps;

/// <summary>
/// The memory plan made before any work, with an injected "available memory" (nothing large is allocated): a cell group
/// whose stored forward pass does not fit is checkpointed, a run that does not fit even so is refused with one line naming
/// the figure and the memory, `--threads 0` never plans more than the memory holds, and a sweep run under a plan that
/// checkpoints writes the same bytes as one that stores.
/// </summary>
public class MemoryPlanTests
{
    private static SweepSpec Spec(int width, int depth, int trials = 4) => new()
    {
        Widths = [width], Depths = [depth], Taus = [new TauGridEntry("1/sqrt(L)", null)], Trials = trials,
    };

    [Test]
    public void StoredWhereItFitsCheckpointedUnderOneGigabyteAndBeyondTheStoredLimit()
    {
        var mid = Spec(4096, 2000);
        var roomy = SweepResources.Of(mid, threads: 2, availableMemory: 1L << 40);
        Assert.That(roomy.IntervalOf(0), Is.Zero, "stored when the memory holds it");
        Assert.That(roomy.MemoryBytes, Is.GreaterThan(2 * 8L * 4096 * 2000), "the post block with ReLU stores its x rows");
        var midTight = SweepResources.Of(mid, threads: 2, availableMemory: 128L << 20);
        Assert.That(midTight.IntervalOf(0), Is.GreaterThan(0), "checkpointed when 2 × 66 MB do not fit in 102 MB");

        var spec = Spec(16384, 10_000);
        Assert.That(SweepResources.Of(spec, threads: 2, availableMemory: 1L << 40).IntervalOf(0), Is.GreaterThan(0),
            "1.3 GB per thread is beyond the stored limit: checkpointed even on a machine that holds it");
        long gib = 1L << 30;
        var tight = SweepResources.Of(spec, threads: 2, availableMemory: gib);
        Assert.That(tight.IntervalOf(0), Is.EqualTo(ExactSampler.CheckpointInterval(new NetworkSpec(16384, 10_000, TauRule.Parse("1/sqrt(L)")))));
        Assert.That(tight.IntervalOf(0), Is.InRange(50, 100), "about √L");
        Assert.That(tight.Threads, Is.EqualTo(2));
        Assert.That(tight.MemoryBytes, Is.LessThan(gib / 10), "O(m√L): tens of megabytes");
        Assert.That(tight.MemoryBreakdown, Does.Contain("checkpointed every"));
        Assert.DoesNotThrow(() => tight.Check(Path.GetTempPath(), availableMemory: gib, freeDisk: gib));
    }

    [Test]
    public void ARunThatDoesNotFitEvenCheckpointedIsRefusedInOneLine()
    {
        long available = 16L << 20;
        var r = SweepResources.Of(Spec(16384, 10_000), threads: 2, availableMemory: available);
        var e = Assert.Throws<SpecException>(() => r.Check(Path.GetTempPath(), availableMemory: available))!;
        Assert.That(e.Message, Does.Contain(SweepResources.Size(r.MemoryBytes)).And.Contain("16 MiB is available").And.Contain("checkpointed"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void ThreadsZeroNeverPlansMoreThanTheMemoryHolds()
    {
        var spec = Spec(4096, 4096, trials: 64);
        for (long available = 1L << 20; available <= 1L << 34; available *= 2)
        {
            var r = SweepResources.Of(spec, threads: 0, availableMemory: available);
            Assert.That(r.Threads, Is.InRange(1, Environment.ProcessorCount));
            bool anyFits = SweepResources.Of(spec, threads: 1, availableMemory: available).MemoryBytes <= available * SweepResources.MemoryShare;
            if (anyFits) Assert.That(r.MemoryBytes, Is.LessThanOrEqualTo(available * SweepResources.MemoryShare), $"{available} bytes available");
            else Assert.That(r.Threads, Is.EqualTo(1), "nothing fits: one thread, and Check refuses");
        }
    }

    [Test]
    public void SampleCheckpointsUnderASmallMemoryCapWithTheSameOutputAndRefusesUnderATinyOne()
    {
        // m = 600, L = 900, 2 threads: stored ≈ 2 × 4.2 MiB, checkpointed ≈ 2 × 0.4 MiB, so an 8 MiB cap (6.4 planned) checkpoints.
        string[] args = ["sample", "--width", "600", "--depth", "900", "--trials", "6", "--threads", "2", "--json"];
        var stored = CliHarness.Run(args);
        var capped = CliHarness.Run([.. args, "--max-memory-mib", "8"]);
        Assert.That(stored.Code, Is.Zero, stored.Err);
        Assert.That(capped.Code, Is.Zero, capped.Err);
        Assert.That(capped.Out, Is.EqualTo(stored.Out));
        Assert.That(capped.Err, Does.Contain("checkpointing the forward pass every"));
        Assert.That(stored.Err, Does.Not.Contain("checkpoint"));

        var refused = CliHarness.Run([.. args, "--max-memory-mib", "1"]);
        Assert.That(refused.Code, Is.EqualTo(2), refused.Err);
        Assert.That(refused.Err.Trim().Split('\n'), Has.Length.EqualTo(1), refused.Err);
        Assert.That(refused.Err, Does.Contain("of memory").And.Contain("1 MiB is available"));
        Assert.That(refused.Out, Is.Empty);
    }

    [Test]
    public void ASweepCheckpointedToFitWritesTheSameBytesAsAStoredOne()
    {
        // Two depths: under the injected memory the deep group must checkpoint and the shallow one still stores.
        var spec = new SweepSpec
        {
            Widths = [40], Depths = [60, 300], Taus = [new TauGridEntry("1/sqrt(L)", null), new TauGridEntry("0.5", null)],
            Trials = 50, Raw = true, TraceDepths = [300],
        };
        var deep = new NetworkSpec(40, 300, TauRule.Parse("1/sqrt(L)"));
        long shared = 64L * 50 * 2 + 24L * 300 * 50 * 2 + 2 * SweepResources.RawBytesPerRow * 50;
        long needStored = 2 * ExactSampler.WorkingSetBytes(deep, 2, checkpointed: false) + shared;
        long needCheckpointed = 2 * ExactSampler.WorkingSetBytes(deep, 2, checkpointed: true) + shared;
        long available = (long)((needStored + needCheckpointed) / 2 / SweepResources.MemoryShare);
        var plan = SweepResources.Of(spec, threads: 2, availableMemory: available);
        Assert.That(plan.CheckpointedGroups, Is.EqualTo(1), plan.MemoryBreakdown);

        var root = Directory.CreateTempSubdirectory("memory-plan-").FullName;
        try
        {
            string Run(string name, long memory, List<string> notes)
            {
                var dir = Path.Combine(root, name);
                SweepRunner.Run(spec, new SweepRunOptions(dir, Threads: 2, Note: notes.Add, AvailableMemory: memory));
                return string.Concat(new[] { SweepRunner.CellsFile, SweepRunner.RawFile, SweepRunner.TracesFile }
                    .Select(f => File.ReadAllText(Path.Combine(dir, f))));
            }
            List<string> storedNotes = [], checkpointedNotes = [];
            var stored = Run("stored", 1L << 40, storedNotes);
            var checkpointed = Run("checkpointed", available, checkpointedNotes);
            Assert.That(checkpointed, Is.EqualTo(stored));
            Assert.That(storedNotes, Has.None.Contain("checkpoint"));
            Assert.That(checkpointedNotes, Has.Some.Contain("1 cell group(s) checkpoint"));

            var refused = Path.Combine(root, "refused");
            var e = Assert.Throws<SpecException>(() => SweepRunner.Run(spec, new SweepRunOptions(refused, Threads: 2, AvailableMemory: 64 * 1024)))!;
            Assert.That(e.Message, Does.Contain("is available"));
            Assert.That(Directory.Exists(refused), Is.False, "refused before the directory is made");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
