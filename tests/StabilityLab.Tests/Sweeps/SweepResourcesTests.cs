using StabilityLab.Models;
using StabilityLab.Sweeps;

namespace StabilityLab.Tests.Sweeps;

/// <summary>
/// Sizes are checked against the machine before any work: a run that does not fit the memory or the disk is refused
/// with the figures, `--threads 0` never plans more threads than the memory holds, and the CLI refuses before it
/// creates anything.
/// </summary>
public class SweepResourcesTests
{
    private static SweepSpec Spec(int width = 512, int depth = 1000, int trials = 100, bool raw = false) => new()
    {
        Blocks = ["post"], Widths = [width], Depths = [depth], Taus = [new TauGridEntry("1/sqrt(L)", null)], Trials = trials, Raw = raw,
    };

    [Test]
    public void MoreThreadsNeedMoreMemoryAndAWiderNetworkMoreStill()
    {
        var one = SweepResources.Of(Spec(), threads: 1, availableMemory: 1L << 40);
        var four = SweepResources.Of(Spec(), threads: 4, availableMemory: 1L << 40);
        var wide = SweepResources.Of(Spec(width: 2048), threads: 1, availableMemory: 1L << 40);
        Assert.That(four.MemoryBytes, Is.GreaterThan(3 * one.MemoryBytes));
        Assert.That(wide.MemoryBytes, Is.GreaterThan(3 * one.MemoryBytes));
        Assert.That(one.MemoryBytes, Is.GreaterThan(8L * 512 * 1000), "at least the activations of one trial");
    }

    [Test]
    public void ARunThatDoesNotFitTheMemoryIsRefusedWithItsFigures()
    {
        // Wide enough that even the checkpointed forward pass (O(m√L) per thread) does not fit.
        var r = SweepResources.Of(Spec(width: 262144, depth: 16384), threads: 2, availableMemory: 1L << 30);
        var e = Assert.Throws<SpecException>(() => r.Check(Path.GetTempPath(), availableMemory: 1L << 30))!;
        Assert.That(e.Message, Does.Contain("memory").And.Contain("1.0 GiB is available").And.Contain("--threads"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void ThreadsZeroPlansNoMoreThreadsThanTheMemoryHolds()
    {
        long available = 1L << 30;
        var r = SweepResources.Of(Spec(width: 4096, depth: 2048), threads: 0, availableMemory: available);
        Assert.That(r.Threads, Is.GreaterThanOrEqualTo(1));
        if (r.Threads > 1 || Environment.ProcessorCount == 1)
            Assert.That(r.MemoryBytes, Is.LessThanOrEqualTo(available * SweepResources.MemoryShare));
        var roomy = SweepResources.Of(Spec(width: 64, depth: 64), threads: 0, availableMemory: 1L << 40);
        Assert.That(roomy.Threads, Is.EqualTo(Math.Min(Environment.ProcessorCount, 100)), "small networks get one thread per core");
    }

    [Test]
    public void RawRowsThatDoNotFitTheDiskAreRefused()
    {
        var r = SweepResources.Of(Spec(width: 16, depth: 16, trials: 1_000_000, raw: true), threads: 1, availableMemory: 1L << 40);
        Assert.That(r.DiskBytes, Is.GreaterThan(1_000_000L * 100));
        var e = Assert.Throws<SpecException>(() => r.Check(Path.GetTempPath(), availableMemory: 1L << 40, freeDisk: 1L << 20))!;
        Assert.That(e.Message, Does.Contain("raw.csv").And.Contain("free"));
        Assert.DoesNotThrow(() => SweepResources.Of(Spec(width: 16, depth: 16, trials: 1_000_000), 1, 1L << 40).Check(Path.GetTempPath(), 1L << 40, 1L << 20),
            "without --raw nothing large is written");
    }

    [Test]
    public void FreeDiskIsReadForADirectoryThatDoesNotExistYet()
    {
        var free = SweepResources.FreeDisk(Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "deeper"));
        Assert.That(free, Is.Not.Null.And.GreaterThan(0));
    }

    [Test]
    public void TheCliRefusesARunNoMachineHoldsBeforeCreatingItsOutput()
    {
        // 4096 threads × even the checkpointed 8·m·2√(2L) bytes with m·L near the array limit: most of a terabyte.
        var sample = CliHarness.Run("sample", "--width", "32768", "--depth", "65000", "--threads", "4096", "--trials", "4096");
        Assert.That(sample.Code, Is.EqualTo(2), sample.Err);
        Assert.That(sample.Err, Does.Contain("of memory").And.Contain("available"));
        var outDir = Path.Combine(Path.GetTempPath(), "sl-huge-" + Guid.NewGuid().ToString("N")[..8]);
        var sweep = CliHarness.Run("sweep", "--width", "32768", "--depth", "65000", "--threads", "4096", "--trials", "4096", "--out", outDir);
        Assert.That(sweep.Code, Is.EqualTo(2), sweep.Err);
        Assert.That(Directory.Exists(outDir), Is.False);
    }
}
