using StabilityLab.Models;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Training;
using TorchSharp;

namespace StabilityLab.Tests.Training;

/// <summary>
/// The memory estimate of `train` (<see cref="TrainingMemory"/>): it counts what a run holds — the NTK phase only where
/// the kernel is formed, the momentum only for SGD, the batch's activations — and a study it cannot fit is refused before
/// its directory exists. (Its agreement with the measured peak is in docs/bad-input.md: that needs a separate process.)
/// </summary>
public class TrainingMemoryTests
{
    private static TrainingStudySpec Spec(int width, int depth, int n, int outputDim = 1, BlockKind block = BlockKind.Post,
        TrainingOptions? options = null) =>
        new(new NetworkSpec(width, depth, TauRule.Parse("1/sqrt(L)")) { Block = block, InputDim = 8, OutputDim = outputDim },
            [depth], [TauRule.Parse("1/sqrt(L)")], [1UL], [1e-3], new SyntheticData(n, 8, outputDim), options ?? new TrainingOptions());

    [Test]
    public void TheNtkPhaseCountsOnlyWhereTheKernelIsFormed()
    {
        var small = TrainingMemory.Of(Spec(256, 32, 32));
        var wide = TrainingMemory.Of(Spec(256, 32, 32, outputDim: 64)); // n·d = 2048 > MaxOutputs: no kernel
        var bn = TrainingMemory.Of(Spec(256, 32, 32, block: BlockKind.PostBn));
        Assert.Multiple(() =>
        {
            Assert.That(small.Breakdown, Does.Contain("NTK"));
            Assert.That(wide.Breakdown, Does.Not.Contain("NTK"));
            Assert.That(bn.Breakdown, Does.Not.Contain("NTK"), "no per-example kernel for a BatchNorm network");
            Assert.That(bn.Bytes, Is.LessThan(small.Bytes));
        });
    }

    [Test]
    public void TheEstimateGrowsWithTheWeightsAndTheActivations()
    {
        long Bytes(int m, int L, int n, TrainingOptions? o = null) => TrainingMemory.Of(Spec(m, L, n, options: o)).Bytes;
        long runtime = TorchSharpRuntimeBytes;
        Assert.Multiple(() =>
        {
            // Weights dominate at m = 2048, n = 4: twice the depth, about twice the memory beyond the runtime.
            double ratio = (double)(Bytes(2048, 64, 4) - runtime) / (Bytes(2048, 32, 4) - runtime);
            Assert.That(ratio, Is.EqualTo(2).Within(0.02));
            Assert.That(Bytes(256, 64, 512), Is.GreaterThan(Bytes(256, 64, 64)), "activations grow with n");
            var sgd = new TrainingOptions { Optimizer = OptimizerKind.Sgd, BatchSize = 16 };
            Assert.That(TrainingMemory.Of(Spec(2048, 32, 4, outputDim: 512, options: sgd)).Breakdown, Does.Contain("momentum"));
            var f32 = new TrainingOptions { Precision = torch.ScalarType.Float32 };
            Assert.That(TrainingMemory.Of(Spec(2048, 32, 4, outputDim: 512, options: f32)).Bytes,
                Is.LessThan(TrainingMemory.Of(Spec(2048, 32, 4, outputDim: 512)).Bytes), "float32 holds less");
        });
    }

    private static long TorchSharpRuntimeBytes => StabilityLab.Torch.TorchRuntime.RuntimeBytes;

    [Test]
    public void AStudyThatCannotFitIsRefusedBeforeItsDirectoryExists()
    {
        string dir = Path.Combine(Path.GetTempPath(), "stabilitylab-memory-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<SpecException>(() => TrainingStudy.Run(Spec(1024, 64, 32), dir, availableMemory: 64L << 20));
        Assert.That(e!.Message, Does.Contain("of memory").And.Contain("64 MiB is available"));
        Assert.That(Directory.Exists(dir), Is.False);
    }
}
