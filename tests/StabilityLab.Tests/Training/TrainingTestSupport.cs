using StabilityLab.Models;
using StabilityLab.Torch.Data;
using TorchSharp;

namespace StabilityLab.Tests.Training;

/// <summary>Shared helpers: one libtorch thread during the Training tests (fast and deterministic on a busy machine).</summary>
[SetUpFixture]
public sealed class TrainingTestSetup
{
    private int _threads;

    [OneTimeSetUp]
    public void SetUp()
    {
        // Touch StabilityLab.Torch first: its module initializer must run before the first oneMKL call.
        Assert.That(StabilityLab.Torch.Training.MklReproducibility.CurrentMode, Is.Not.Null);
        _threads = torch.get_num_threads();
        StabilityLab.Torch.TorchRuntime.SetThreads(1);
    }

    [OneTimeTearDown]
    public void TearDown() => torch.set_num_threads(_threads);
}

internal static class Tiny
{
    public static NetworkSpec Spec(int width = 6, int depth = 3, string tau = "1/sqrt(L)", BlockKind block = BlockKind.Post,
        Activation activation = Activation.Relu, int p = 3, int d = 2) =>
        new(width, depth, TauRule.Parse(tau), block, activation, WeightLaw.Gaussian, p, d);

    public static TrainingData Data(int n = 4, int p = 3, int d = 2, ulong seed = 7, int test = 0) =>
        new SyntheticData(n, p, d, TargetKind.Random, test).Load(seed);

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "stabilitylab-train-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
