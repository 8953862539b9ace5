using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Spectral;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Spectral;

/// <summary>The sampler facade: a trial's numbers do not depend on the batch it ran in, and seeds matter.</summary>
[TestFixture]
public sealed class SpectralSamplerTests
{
    private static readonly NetworkSpec Spec = new(64, 8, TauRule.Parse("1/sqrt(L)"));

    private static SpectralTrial[] Sample(long budget, ulong seed) =>
        new SpectralSampler(Spec, new SpectralOptions { MemoryBudgetBytes = budget, Inputs = GramInputs.RandomSphere(1, 3, 10) }, CPU).Sample(seed, 5);

    [Test]
    public void TrialsDoNotDependOnTheBatchSize()
    {
        var one = new SpectralSampler(Spec, new SpectralOptions { MemoryBudgetBytes = 1 << 20, Inputs = GramInputs.RandomSphere(1, 3, 10) }, CPU);
        Assert.That(one.BatchSize, Is.EqualTo(1), "the small budget forces one network per batch");
        var a = Sample(1 << 20, 3);
        var b = Sample(1L << 30, 3);
        var c = Sample(1L << 30, 4);
        Assert.Multiple(() =>
        {
            for (int t = 0; t < 5; t++)
            {
                // Equal up to the Lanczos tolerance (the start vectors depend on the batch): |Δ log σ²| ≤ 2·1e-6.
                Assert.That(a[t].WholeLogSq, Is.EqualTo(b[t].WholeLogSq).Within(2e-6), $"trial {t}");
                Assert.That(a[t].PairLogSq, Is.EqualTo(b[t].PairLogSq).Within(2e-6), $"trial {t}");
                Assert.That(a[t].Gram!.LogMinEig, Is.EqualTo(b[t].Gram!.LogMinEig), $"trial {t}");
                Assert.That(a[t].Ntk!.LogMinEig, Is.EqualTo(b[t].Ntk!.LogMinEig), $"trial {t}");
                Assert.That(c[t].WholeLogSq, Is.Not.EqualTo(b[t].WholeLogSq).Within(1e-3), $"another seed, trial {t}");
                Assert.That(b[t].MaxPairLogSq, Is.EqualTo(b[t].PairLogSq.Max()));
                Assert.That(b[t].PairsNotConverged, Is.Zero);
            }
        });
    }
}
