using StabilityLab.Statistics;

namespace StabilityLab.Tests.Statistics;

/// <summary>
/// The bench's alternating timer: it runs the two actions in turn, and each quantile is of that action's own runs.
/// </summary>
public class TimingTests
{
    [Test]
    public void QuantilesAlternateTheActionsAndTimeEachOnItsOwn()
    {
        var order = new List<char>();
        var (slow, fast) = Timing.QuantileSecondsAlternating(20, 0.1,
            () => { order.Add('s'); Thread.Sleep(5); },
            () => order.Add('f'));
        Assert.That(string.Concat(order), Is.EqualTo(string.Concat(Enumerable.Repeat("sf", 20))));
        // A sleep of 5 ms lasts at least 5 ms; a list append far less (a swapped pair would put the sleep second).
        Assert.That(slow, Is.GreaterThanOrEqualTo(0.004));
        Assert.That(fast, Is.LessThan(0.001));
    }
}
