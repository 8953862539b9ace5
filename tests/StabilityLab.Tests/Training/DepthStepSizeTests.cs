using StabilityLab.Models;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Training;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Training;

/// <summary>
/// A study with one step size per depth ("lr": "largest-stable") runs each depth at its own step, one trend for the rule.
/// </summary>
[NonParallelizable]
public class DepthStepSizeTests
{
    private static TrainingStudySpec Spec() => new(Tiny.Spec(width: 16, p: 4, d: 1), [2, 4, 8], [TauRule.Parse("1/sqrt(L)"), TauRule.Parse("1/L")],
        [1, 2], [2e-3], new SyntheticData(6, 4, 1, TargetKind.Random, 0), new TrainingOptions { Steps = 30, Precision = ScalarType.Float64 });

    [Test]
    public void OneStepSizePerDepthIsOneTrendAndMustMatchTheDepths()
    {
        var spec = Spec() with { TauRules = [TauRule.Parse("1")], DepthStepSizes = [1e-2, 1e-3, 1e-4] };
        Assert.That(spec.Grid().Select(g => (g.Depth, g.StepSize)).Distinct(), Is.EqualTo(new[] { (2, 1e-2), (4, 1e-3), (8, 1e-4) }));
        Assert.That(spec.Settings()["depth_step_sizes"], Is.EqualTo("0.01,0.001,0.0001"));
        var dir = Tiny.TempDir();
        try
        {
            var r = TrainingStudy.Run(spec, dir, device: CPU, threads: 1);
            var trend = r.Trends.Single();
            Assert.That(double.IsNaN(trend.StepSize), Is.True);
            Assert.That(trend.Depths.Select(d => d.Runs), Is.All.EqualTo(2));
            Assert.That(File.ReadAllText(Path.Combine(dir, TrainingStudy.FitsFile)), Does.Contain("\"lr\": null"));
        }
        finally { Directory.Delete(dir, recursive: true); }
        Assert.Throws<SpecException>(() => (spec with { DepthStepSizes = [1e-2, 1e-3] }).Validate());
        Assert.Throws<SpecException>(() => (spec with { DepthStepSizes = [1e-2, 0, 1e-4] }).Validate());
    }
}
