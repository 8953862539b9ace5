using StabilityLab.Sampling;
using StabilityLab.Statistics;

namespace StabilityLab.Tests.Sampling;

public class CellStatisticsTests
{
    [Test]
    public void BlowupFractionCarriesItsClopperPearsonInterval()
    {
        // 3 of 10 trials above 2·log 10 (‖h_L‖/‖h_0‖ > 10).
        var trials = Enumerable.Range(0, 10).Select(i => new TrialSummary(i < 3 ? 5.0 : 1.0, 5.0, 0.0, false)).ToList();
        var s = CellStatistics.Compute(trials, bootstrap: 50);
        Assert.That(s.BlowupFrac, Is.EqualTo(0.3));
        // Exact 95% interval for 3/10: [0.0667, 0.6525].
        Assert.That(s.BlowupFracLo, Is.EqualTo(0.06673).Within(1e-4));
        Assert.That(s.BlowupFracHi, Is.EqualTo(0.65245).Within(1e-4));
    }

    [Test]
    public void LogMeanExpIsTheLogOfTheMeanRatioAndItsBootstrapIntervalCoversIt()
    {
        double[] logs = [0.0, Math.Log(3), Math.Log(5), 800.0];
        // log((1 + 3 + 5 + e^800)/4) without overflow.
        Assert.That(LogSumExp.LogMeanExp(logs), Is.EqualTo(800 - Math.Log(4)).Within(1e-9));
        var trials = Enumerable.Range(0, 200).Select(i => new TrialSummary(Math.Sin(i) * 2, 0, 0, false)).ToList();
        var s = CellStatistics.Compute(trials, bootstrap: 400, bootstrapSeed: 3);
        Assert.That(s.FwdLogMeanSqLo, Is.LessThan(s.FwdLogMeanSq));
        Assert.That(s.FwdLogMeanSqHi, Is.GreaterThan(s.FwdLogMeanSq));
        var again = CellStatistics.Compute(trials, bootstrap: 400, bootstrapSeed: 3);
        Assert.That(again, Is.EqualTo(s), "the bootstrap is counter-based and reproducible");
    }
}
