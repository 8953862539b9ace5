using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// The alignment diffusion of docs/finite-width.md §10 (Cov(F_L, B_L)): its coefficients have a closed-form consequence.
/// As s → ∞ the forward and the tangent direction both align with the top singular direction of J, so
/// Var F − Cov(F, T) → Var log χ²₁ = π²/2, i.e. ∫₀^∞ (1 − E ω²) ds = π²/2 (a drift or a noise off by any factor moves it).
/// </summary>
public class TangentAlignmentTests
{
    [Test]
    public void UnalignedTimeIntegratesToTheVarianceOfLogChiSquaredOne()
    {
        const double ds = 0.01;
        var s = Enumerable.Range(0, 40001).Select(i => i * ds).ToArray();
        var p = TangentAlignment.MeanSquaredCosine(s, 1e-9);
        double integral = 0;
        for (int i = 1; i < s.Length; i++) integral += 0.5 * (2 - p[i] - p[i - 1]) * ds;
        TestContext.Out.WriteLine($"∫₀^400 (1 − E ω²) ds = {integral:F6}, π²/2 = {Math.PI * Math.PI / 2:F6}");
        // The remainder beyond s = 400 is ≈ e^{−400/16}; the quadrature and the solver's grid are accurate to ~1e-4.
        Assert.That(integral, Is.EqualTo(Math.PI * Math.PI / 2).Within(1e-3));
        // Small s: ω is Gaussian with variance 1/m + s/2 to first order.
        var small = TangentAlignment.MeanSquaredCosine([0.0, 0.001], 1.0 / 256);
        Assert.That(small[0], Is.EqualTo(1.0 / 256).Within(2e-5));
        Assert.That(small[1] - small[0], Is.EqualTo(0.0005).Within(2e-5));
    }
}
