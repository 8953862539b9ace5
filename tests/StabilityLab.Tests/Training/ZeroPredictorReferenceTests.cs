using StabilityLab.Torch.Training;

namespace StabilityLab.Tests.Training;

/// <summary>
/// A run's progress is measured from the smaller of its initial loss and the zero predictor's (<see cref="SweepRun.Reference"/>):
/// a τ = 1 network at depth starts with a loss of 10²⁴–10⁹⁸ and can shed all but 10⁻⁶ of it while ending far above ½Σ‖y‖²
/// (docs/claims.md §8, the paper-scale control); such a run has stalled, a run that fits the data has not.
/// </summary>
public class ZeroPredictorReferenceTests
{
    private static SweepRun Run(double initial, double final, double? zero) =>
        new SweepRun("r", 128, "1", 1, 1, 1e-53, TrainingOutcome.Converged, 8, null, initial, final, null, null, null, 0.1, 0) { ZeroLoss = zero };

    [Test]
    public void ARunThatOnlyShedItsOwnOutputHasStalled()
    {
        var shed = Run(initial: 5.6e48, final: 4.4e42, zero: 8.1); // L = 128, seed 4 of the paper-scale control
        Assert.Multiple(() =>
        {
            Assert.That(shed.FinalLoss / shed.InitialLoss, Is.LessThan(1e-6), "by its ratio alone it 'converged'");
            Assert.That(shed.Reference, Is.EqualTo(8.1));
            Assert.That(shed.Stalled(DepthVerdicts.StallRatio), Is.True);
            Assert.That((shed with { ZeroLoss = null }).Stalled(DepthVerdicts.StallRatio), Is.False, "files without zero_loss read as before");
        });
    }

    [Test]
    public void ARunThatFitsTheDataHasNot()
    {
        var fit = Run(initial: 21.5, final: 0.063, zero: 7.9);
        var fromBelow = Run(initial: 3.4, final: 0.01, zero: 7.9); // a start below ½Σ‖y‖²: measured from the start
        Assert.Multiple(() =>
        {
            Assert.That(fit.Stalled(DepthVerdicts.StallRatio), Is.False);
            Assert.That(fit.Reference, Is.EqualTo(7.9));
            Assert.That(fromBelow.Reference, Is.EqualTo(3.4));
            Assert.That(Run(initial: 3.4, final: 2.0, zero: 7.9).Stalled(DepthVerdicts.StallRatio), Is.True, "above half of its start");
        });
    }
}
