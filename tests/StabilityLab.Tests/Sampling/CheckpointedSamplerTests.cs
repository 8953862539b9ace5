using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;

namespace StabilityLab.Tests.Sampling;

/// <summary>
/// The checkpointed forward pass (every k-th layer kept, segments recomputed in the backward pass) against the stored
/// one: the same bits in every forward, backward and weight-gradient trace, for every sampled block and activation,
/// for intervals that do and do not divide L, with one τ schedule and with several (common random numbers); and
/// its memory, measured as bytes allocated, O(m√L) and within the estimate the size check uses.
/// </summary>
public class CheckpointedSamplerTests
{
    private static IEnumerable<TestCaseData> Cells() =>
        from block in new[] { BlockKind.Post, BlockKind.Res1, BlockKind.Res3 }
        from act in new[] { Activation.Relu, Activation.Tanh, Activation.Identity }
        select new TestCaseData(block, act).SetArgDisplayNames($"{block.Name()} {act.Name()}");

    [TestCaseSource(nameof(Cells))]
    public void CheckpointedTrialsAreTheSameBitsAsStoredOnes(BlockKind block, Activation act)
    {
        // m = 37 runs the vector loops and their scalar tails; L = 23 is prime, so no interval but 1 divides it.
        var spec = new NetworkSpec(37, 23, TauRule.Parse("1/sqrt(L)"), block: block, activation: act);
        var schedules = new[] { spec.TauSchedule(), TauRule.Constant(0.9).Schedule(23) };
        var stored = new ExactSampler(spec);
        Assert.That(stored.Interval, Is.EqualTo(23), "0 keeps every layer");
        foreach (int k in new[] { 1, 4, ExactSampler.CheckpointInterval(spec), 22 })
        {
            var checkpointed = new ExactSampler(spec, checkpointInterval: k);
            Assert.That(checkpointed.Interval, Is.EqualTo(k));
            for (uint t = 0; t < 4; t++)
            {
                var stream = RandomStream.For(5, CellKey.Of(spec), t, RandomGenerator.Philox);
                AssertSameBits([checkpointed.Sample(stream)], [stored.Sample(stream)], $"k = {k}, trial {t}, one τ");
                AssertSameBits(checkpointed.Sample(stream, schedules), stored.Sample(stream, schedules), $"k = {k}, trial {t}, two τ");
            }
        }
    }

    [Test]
    public void ThreadCountAndCheckpointingLeaveMonteCarloSummariesUnchanged()
    {
        var spec = new NetworkSpec(24, 40, TauRule.Parse("1/sqrt(L)"));
        var schedules = new[] { spec.TauSchedule(), TauRule.Constant(0.3).Schedule(40) };
        var stored = MonteCarlo.RunExact(spec, schedules, 32, seed: 3, threads: 1);
        var checkpointed = MonteCarlo.RunExact(spec, schedules, 32, seed: 3, threads: 2, checkpointInterval: ExactSampler.CheckpointInterval(spec));
        Assert.That(checkpointed, Is.EqualTo(stored).AsCollection);
    }

    [Test]
    public void CheckpointedMemoryGrowsAsTheSquareRootOfDepth()
    {
        // Allocated bytes of one sampler and one trial of the post block with ReLU, one τ (its tape keeps the x rows only):
        // stored ≈ 8·m·L, checkpointed ≈ 8·m·2√L plus O(L) per-layer records, small beside it at this width.
        var deep = new NetworkSpec(2048, 4096, TauRule.Parse("1/sqrt(L)"));
        long stored = Allocated(deep, 0), checkpointed = Allocated(deep, ExactSampler.CheckpointInterval(deep));
        Assert.That(stored, Is.GreaterThan(8L * 2048 * 4096));
        Assert.That(checkpointed, Is.LessThan(8L * 2048 * 4 * (long)Math.Sqrt(4096.0)), $"checkpointed {checkpointed} bytes");
        var deeper = deep with { Depth = 4 * 4096 };
        long ratio = Allocated(deeper, ExactSampler.CheckpointInterval(deeper)) * 100 / checkpointed;
        Assert.That(ratio, Is.InRange(170, 240), "4× the depth: about 2× the memory");
    }

    [TestCase(BlockKind.Post, 1, false)]
    [TestCase(BlockKind.Post, 3, false)]
    [TestCase(BlockKind.Res3, 1, false)]
    [TestCase(BlockKind.Res3, 3, false)]
    [TestCase(BlockKind.Post, 1, true)]
    [TestCase(BlockKind.Res3, 3, true)]
    [TestCase(BlockKind.Res1, 2, true)]
    public void TheWorkingSetEstimateCoversWhatASamplerAllocates(BlockKind block, int taus, bool checkpointed)
    {
        var spec = new NetworkSpec(256, 2000, TauRule.Parse("1/sqrt(L)"), block: block);
        long estimate = ExactSampler.WorkingSetBytes(spec, taus, checkpointed);
        long allocated = Allocated(spec, checkpointed ? ExactSampler.CheckpointInterval(spec) : 0, taus);
        Assert.That(allocated, Is.InRange(estimate * 8 / 10, estimate + 64 * 1024), $"estimate {estimate}, allocated {allocated}");
    }

    /// <summary>Bytes this thread allocates to build a sampler and run one trial with <paramref name="taus"/> schedules.</summary>
    private static long Allocated(NetworkSpec spec, int interval, int taus = 1)
    {
        var schedules = Enumerable.Range(0, taus).Select(i => TauRule.Constant(0.1 * (i + 1)).Schedule(spec.Depth)).ToArray();
        var stream = RandomStream.For(1, CellKey.Of(spec), 0, RandomGenerator.Philox);
        new ExactSampler(spec, checkpointInterval: interval).Sample(stream, schedules); // JIT and static caches first
        long before = GC.GetAllocatedBytesForCurrentThread();
        new ExactSampler(spec, checkpointInterval: interval).Sample(stream, schedules);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void AssertSameBits(TrialMeasurement[] got, TrialMeasurement[] expected, string what)
    {
        Assert.That(got, Has.Length.EqualTo(expected.Length));
        for (int i = 0; i < got.Length; i++)
        {
            Assert.That(got[i].Dead, Is.EqualTo(expected[i].Dead), what);
            Assert.That(BitConverter.DoubleToInt64Bits(got[i].LogH0), Is.EqualTo(BitConverter.DoubleToInt64Bits(expected[i].LogH0)), what);
            Assert.That(Bits(got[i].Forward), Is.EqualTo(Bits(expected[i].Forward)), $"{what}: forward");
            Assert.That(Bits(got[i].Backward), Is.EqualTo(Bits(expected[i].Backward)), $"{what}: backward");
            Assert.That(Bits(got[i].WeightGrad), Is.EqualTo(Bits(expected[i].WeightGrad)), $"{what}: weight gradients");
        }
    }

    private static long[] Bits(double[] v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
