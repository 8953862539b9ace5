using System.Diagnostics;
using StabilityLab.Models;
using StabilityLab.Theory;
namespace StabilityLab.Tests.Theory;
[Explicit("tmp")]
public class TmpProbe
{
    static double T(Action a){ double best=1e9; for(int i=0;i<5;i++){var pr=Process.GetCurrentProcess(); var c0=pr.TotalProcessorTime; a(); pr.Refresh(); best=Math.Min(best, (pr.TotalProcessorTime-c0).TotalMilliseconds);} return best; }
    [Test]
    public void Compare()
    {
        foreach (var (L, rule) in new[]{(1024,"1/sqrt(L)"),(4096,"1/sqrt(L)"),(1024,"1"),(4096,"0.0825"),(1024,"L^-0.2"),(4096,"L^-0.625"),(300,"1/sqrt(l*log(l+1)^2)")})
        {
            var spec = new NetworkSpec(512, L, TauRule.Parse(rule));
            var tau = spec.TauSchedule();
            var fast = FiniteWidthTheory.PredictWith(spec, cached:false, grid: FiniteWidthLayers.FastGrid);
            var refr = FiniteWidthTheory.PredictWith(spec, cached:false, grid: FiniteWidthLayers.FastGrid with { TwoScaleStep = 0 });
            double tf = T(() => FiniteWidthTheory.PredictWith(spec, cached:false, grid: FiniteWidthLayers.FastGrid));
            double tr = T(() => FiniteWidthTheory.PredictWith(spec, cached:false, grid: FiniteWidthLayers.FastGrid with { TwoScaleStep = 0 }));
            TestContext.Out.WriteLine($"L={L} {rule}: dF {fast.FwdLogSqMean-refr.FwdLogSqMean:E2} dFsd {fast.FwdLogSqSd-refr.FwdLogSqSd:E2} dB {fast.BwdLogSqMean-refr.BwdLogSqMean:E2} dBsd {fast.BwdLogSqSd-refr.BwdLogSqSd:E2} dCov {fast.Covariance-refr.Covariance:E2} | F {refr.FwdLogSqMean:F5} B {refr.BwdLogSqMean:F5}  cpu fast {tf:F1} ref {tr:F1}");
        }
    }
}
