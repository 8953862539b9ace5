// Prints the theory numbers quoted in docs/science.md §3, computed by the project's own library.
// How to run: docs/checks/README.md.
using StabilityLab.Models;
using StabilityLab.Theory;

double[] S(string rule, int depth) => TauRule.Parse(rule).Schedule(depth);

// First layer: closed form against density evolution.
foreach (var t in new[] { 0.1, 0.5, 1.0, 2.0 })
{
    var c = InfiniteWidthRecursion.PostRelu(new[] { t });
    Console.WriteLine($"Q1 tau={t}: closed {FirstLayerClosedForm.Q1(t):R} DE {Math.Exp(c.LogQ[1]):R}; atom closed {FirstLayerClosedForm.AtomMass1(t):R} DE {c.AtomMass[1]:R}");
}

// tau = 1/sqrt(L): log Q_L against the exact bounds and the limit 2; the atom P(Y_l = 0) along the way.
foreach (var L in new[] { 4, 16, 64, 256, 1024, 4096 })
{
    var c = InfiniteWidthRecursion.PostRelu(S("1/sqrt(L)", L));
    var b = FirstMomentBounds.PostRelu(S("1/sqrt(L)", L));
    Console.WriteLine($"tau=1/sqrt(L) L={L}: log(Q_L/Q_0) {c.LogRatio[^1]:F4}, (2 - it)*sqrt(L) {(2 - c.LogRatio[^1]) * Math.Sqrt(L):F3}, bounds [{b.LogLower:F4}, {b.LogUpper:F4}], atom at L {c.AtomMass[^1]:F4}");
}
var big = InfiniteWidthRecursion.PostRelu(S("1/sqrt(L)", 4096));
Console.WriteLine($"grid diagnostics, tau=1/sqrt(L), L=4096: {big.Grid}");

// Finite-width variance: the simple form (5 + 8 sum tau^2)/m against the per-layer terms of the law (times m).
foreach (var L in new[] { 16, 64 })
    foreach (var r in new[] { "0.5", "1/sqrt(L)" })
    {
        var sch = S(r, L);
        var c = InfiniteWidthRecursion.PostRelu(sch);
        Console.WriteLine($"tau={r} L={L}: m*Var simple {FiniteWidthCorrection.LogVariance(sch, 1):F3}, sum v_l {FiniteWidthCorrection.FreshNoiseLogVariance(c, 1):F3} (without v_0: {FiniteWidthCorrection.FreshNoiseLogVariance(c, 1) - 5:F3}), v_L {c.NoiseVariance[^1]:F4} vs 8tau^2 {8 * sch[^1] * sch[^1]:F4}");
    }

// res1: exact Gaussian-sum reduction, density evolution and the closed recursion.
foreach (var L in new[] { 16, 4096 })
{
    var sch = S("1/sqrt(L)", L);
    Console.WriteLine($"res1 tau=1/sqrt(L) L={L}: exact {InfiniteWidthRecursion.Res1ReluExact(sch).LogRatio[^1]:F4}, DE {InfiniteWidthRecursion.Res1Relu(sch).LogRatio[^1]:F4}, closed {InfiniteWidthRecursion.Res1ClosedRecursion(sch)[^1]:F4}");
}
foreach (var t in new[] { 0.05, 1.0 })
    Console.WriteLine($"res1 L=1 tau={t}: exact {InfiniteWidthRecursion.Res1ReluExact(new[] { t }).LogRatio[1]:R}, log(1+2tau^2) {Math.Log(1 + 2 * t * t):R}");
Console.WriteLine($"res1 tau=1 L=4096: log q_L - L log 2 = {InfiniteWidthRecursion.Res1ReluExact(TauRule.Constant(1).Schedule(4096)).LogRatio[^1] - 4096 * Math.Log(2):F4}");

// tau = 1: the fixed-point growth rate and the depth at which E||h_L||^2 leaves float64.
var one = InfiniteWidthRecursion.PostRelu(TauRule.Constant(1).Schedule(4096));
Console.WriteLine($"tau=1: log Q_4096 {one.LogQFinal:F2}, per-layer rate at the end {one.LogQ[^1] - one.LogQ[^2]:F6}, first L with log Q_L > log(double.MaxValue): {Array.FindIndex(one.LogQ, v => v > Math.Log(double.MaxValue))}");

// Infinite-width threshold: a = tau*sqrt(L) with log(Q_L/Q_0) = 2 ln 10, by bisection; the limit sqrt(ln 10).
Console.WriteLine($"sqrt(ln 10) = {Math.Sqrt(Math.Log(10)):F4}");
foreach (var L in new[] { 16, 64, 256, 1024, 4096 })
{
    double lo = 0.5, hi = 3;
    for (int i = 0; i < 40; i++)
    {
        double a = (lo + hi) / 2;
        double v = InfiniteWidthRecursion.PostRelu(Enumerable.Repeat(a / Math.Sqrt(L), L).ToArray()).LogRatio[^1];
        if (v > 2 * Math.Log(10)) hi = a; else lo = a;
    }
    double star = (lo + hi) / 2;
    Console.WriteLine($"infinite-width threshold L={L}: tau*sqrt(L) = {star:F4}, (it - sqrt(ln 10))*sqrt(L) = {(star - Math.Sqrt(Math.Log(10))) * Math.Sqrt(L):F3}");
}
