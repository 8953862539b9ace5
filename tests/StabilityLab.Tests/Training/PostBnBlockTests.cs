using StabilityLab.Models;
using StabilityLab.Torch.Networks;
using StabilityLab.Torch.Training;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Training;

/// <summary>
/// The post-bn block (BatchNorm in the branch, claim 5): BatchNorm makes the branch blind to the scale of W_l, which the
/// post block is not; its γ and β train with "all" and stay fixed with "w"; only the trainer takes it — sweep, sample and
/// spectrum refuse it with one line and exit 2, train accepts it.
/// </summary>
[TestFixture]
public sealed class PostBnBlockTests
{
    /// <summary>The network's output after multiplying every W_l by <paramref name="scale"/>.</summary>
    private static double[] OutputWithScaledW(BlockKind block, double scale)
    {
        var spec = Tiny.Spec(width: 8, depth: 3, block: block);
        var data = Tiny.Data(n: 6);
        using var model = new ResNetModule(spec, 11, ScalarType.Float64, CPU);
        using (no_grad())
            for (int l = 1; l <= spec.Depth; l++) model.BranchWeights(l).mul_(scale);
        using var x = tensor(data.Train.Inputs, new long[] { 6, 3 }, ScalarType.Float64);
        using var y = model.forward(x);
        return y.data<double>().ToArray();
    }

    [Test]
    public void BatchNormMakesTheBranchBlindToTheScaleOfW()
    {
        // Large scales, so that BatchNorm's ε = 1e-5 is negligible against the branch variance in both.
        var bn1 = OutputWithScaledW(BlockKind.PostBn, 30);
        var bn3 = OutputWithScaledW(BlockKind.PostBn, 90);
        var post1 = OutputWithScaledW(BlockKind.Post, 1);
        var post3 = OutputWithScaledW(BlockKind.Post, 3);
        Assert.That(bn3, Is.EqualTo(bn1).Within(1e-6));
        Assert.That(post3.Zip(post1, (a, b) => Math.Abs(a - b)).Max(), Is.GreaterThan(1e-2));
    }

    [Test]
    public void ScaleAndShiftTrainWithAllOnly()
    {
        var spec = Tiny.Spec(width: 4, depth: 2, block: BlockKind.PostBn);
        using var model = new ResNetModule(spec, 1, ScalarType.Float64, CPU);
        var all = model.SetTrained(TrainedParameters.All);
        Assert.That(all, Has.Count.EqualTo(1 + 2 * 3 + 1), "A, then W_l, γ_l, β_l per block, then B");
        Assert.That(model.NormParameters(1).All(p => p.requires_grad));
        model.SetTrained(TrainedParameters.Hidden);
        Assert.That(model.NormParameters(2).Any(p => p.requires_grad), Is.False);
        Assert.That(model.NormParameters(1)[0].data<double>().ToArray(), Is.All.EqualTo(1.0), "γ starts at 1");
    }

    [TestCase("sweep", "--block", "post-bn", "-L", "4", "-n", "4")]
    [TestCase("sample", "--block", "post-bn", "-L", "4", "-n", "4")]
    [TestCase("spectrum", "--block", "post-bn", "-L", "4")]
    public void SamplersRefuseItWithOneLine(params string[] args)
    {
        var (code, _, err) = CliHarness.Run(args);
        Assert.That(code, Is.EqualTo(2), err);
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(err, Does.Contain("post-bn").And.Contain("train"));
    }

    [Test]
    public void TrainAcceptsIt()
    {
        var dir = Tiny.TempDir();
        try
        {
            var (code, output, err) = CliHarness.Run("train", "--block", "post-bn", "-m", "8", "-L", "2,4", "--tau", "1/sqrt(L)", "-n", "8", "--input-dim", "4",
                "--steps", "5", "--lr", "1e-3", "--threads", "1", "-o", Path.Combine(dir, "out"));
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(File.ReadAllText(Path.Combine(dir, "out", "runs.csv")), Does.Contain("post-bn"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
