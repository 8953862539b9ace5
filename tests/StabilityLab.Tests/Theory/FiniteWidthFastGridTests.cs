using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// The fast grid of large cells (docs/finite-width.md §3, §8) against the grid every cell used before
/// (<c>FiniteWidthTheory.GridFor(τ, fine: true)</c>), and its determinism.
/// </summary>
public class FiniteWidthFastGridTests
{
    // Large cells of the quick grid (m = 256): τ = 1/√L at L = 1024, the largest forward mean there (τ = 1), and the cell
    // with the largest boundary error of coarser grids (L = 4096, τ = 0.082; 3 points per σ moves it by 4e-2). The issue's
    // bound is 1e-3 (0.2 of the standard error of a mean or sd at 1000 trials wherever the sd is ≥ 0.16; here 0.18–3.3);
    // the test asks 1e-4, which still fails for the coarser choices measured (a kernel cut at 6σ: 2.8e-4 at L = 1024, τ = 1),
    // while the measured differences are ≤ 2e-9 (uniform fast grid; ≤ 1e-5 since it runs on two-scale points, docs §3).
    [TestCase(1024, "1/sqrt(L)")]
    [TestCase(1024, "1")]
    [TestCase(4096, "0.0825")]
    public void FastGridMatchesTheFineGrid(int depth, string tau)
    {
        var spec = new NetworkSpec(256, depth, TauRule.Parse(tau));
        var schedule = spec.TauSchedule();
        Assert.That(FiniteWidthTheory.GridFor(schedule), Is.SameAs(FiniteWidthLayers.FastGrid), "a large cell runs on the fast grid");
        var fast = FiniteWidthTheory.PredictWith(spec, cached: false);
        var fine = FiniteWidthTheory.PredictWith(spec, cached: false, grid: FiniteWidthTheory.GridFor(schedule, fine: true));
        Assert.That(fast.FwdLogSqMean, Is.EqualTo(fine.FwdLogSqMean).Within(1e-4), "forward mean");
        Assert.That(fast.FwdLogSqSd, Is.EqualTo(fine.FwdLogSqSd).Within(1e-4), "forward sd");
        Assert.That(fast.BwdLogSqMean, Is.EqualTo(fine.BwdLogSqMean).Within(1e-4), "backward mean");
        Assert.That(fast.BwdLogSqSd, Is.EqualTo(fine.BwdLogSqSd).Within(1e-4), "backward sd");
    }

    [Test]
    public void SmallCellsKeepTheFineGridBitForBit()
    {
        var spec = new NetworkSpec(256, 64, TauRule.Parse("1/sqrt(L)"));
        var schedule = spec.TauSchedule();
        Assert.That(FiniteWidthTheory.GridFor(schedule), Is.SameAs(FiniteWidthLayers.TheoryGrid));
        var a = FiniteWidthTheory.PredictWith(spec, cached: false);
        var b = FiniteWidthTheory.PredictWith(spec, cached: false, grid: FiniteWidthTheory.GridFor(schedule, fine: true));
        Assert.That(a.FwdLogSqMean, Is.EqualTo(b.FwdLogSqMean));
        Assert.That(a.BwdLogSqMean, Is.EqualTo(b.BwdLogSqMean));
        Assert.That(a.BwdLogSqSd, Is.EqualTo(b.BwdLogSqSd));
    }

    // Same bits on every call, whichever threads run it: two fresh evolutions at once (the two backward runs of each go on
    // two cores at this size) and one alone.
    [Test]
    public void FastGridIsDeterministic()
    {
        var spec = new NetworkSpec(256, 512, TauRule.Parse("1/sqrt(L)"));
        Assert.That(FiniteWidthTheory.GridFor(spec.TauSchedule()), Is.SameAs(FiniteWidthLayers.FastGrid));
        var alone = FiniteWidthTheory.PredictWith(spec, cached: false);
        var both = new[] { 0, 1 }.AsParallel().Select(_ => FiniteWidthTheory.PredictWith(spec, cached: false)).ToArray();
        foreach (var p in both)
        {
            Assert.That(p.FwdLogSqMean, Is.EqualTo(alone.FwdLogSqMean));
            Assert.That(p.FwdLogSqSd, Is.EqualTo(alone.FwdLogSqSd));
            Assert.That(p.BwdLogSqMean, Is.EqualTo(alone.BwdLogSqMean));
            Assert.That(p.BwdLogSqSd, Is.EqualTo(alone.BwdLogSqSd));
            Assert.That(p.Covariance, Is.EqualTo(alone.Covariance));
        }
    }

    // Where the fast grid would exceed the memory limit (small τ) its 2-points form runs: the quick grid's L = 4096,
    // τ = 2⁻⁹ fits now (it was refused), and the 2-points form stays within 1e-3 of the 4-points grid at small τ (checked at a
    // small cell; 8.5e-5 measured at L = 4096, τ = 0.0033).
    [Test]
    public void SmallTauRunsOnTheTwoPointsFastGrid()
    {
        var tiny = Enumerable.Repeat(1.0 / 512, 4096).ToArray();
        Assert.That(FiniteWidthTheory.GridFor(tiny), Is.SameAs(FiniteWidthLayers.FastCoarseGrid));
        Assert.That(FiniteWidthTheory.GridPoints(tiny), Is.LessThanOrEqualTo(FiniteWidthTheory.MaxStoredPoints));
        var spec = new NetworkSpec(256, 256, TauRule.Constant(1.0 / 256));
        var coarse = FiniteWidthTheory.PredictWith(spec, cached: false, grid: FiniteWidthLayers.FastCoarseGrid);
        var fine = FiniteWidthTheory.PredictWith(spec, cached: false, grid: FiniteWidthLayers.TheoryGrid);
        Assert.That(coarse.FwdLogSqMean, Is.EqualTo(fine.FwdLogSqMean).Within(1e-3));
        Assert.That(coarse.FwdLogSqSd, Is.EqualTo(fine.FwdLogSqSd).Within(1e-3));
        Assert.That(coarse.BwdLogSqMean, Is.EqualTo(fine.BwdLogSqMean).Within(1e-3));
        Assert.That(coarse.BwdLogSqSd, Is.EqualTo(fine.BwdLogSqSd).Within(1e-3));
    }
}
