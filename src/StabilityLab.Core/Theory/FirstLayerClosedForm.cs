namespace StabilityLab.Theory;

/// <summary>
/// The first layer of the post-activation ReLU block at infinite width, in closed form (docs/science.md §3):
/// Q_1 = E[(Y_0 + τ√2 ξ)_+²] = 1/2 + τ² + ((1+τ²)/π)·arcsin(1/√(1+τ²)) + τ/π, with Y_0 = (√2 ζ)_+ and Q_0 = 1,
/// and the atom P(Y_1 = 0) = 1/4 + arctan(τ)/(2π) (derived).
/// </summary>
public static class FirstLayerClosedForm
{
    /// <summary>Q_1 = E[Y_1²] for τ ≥ 0 (Q_1(0) = 1).</summary>
    public static double Q1(double tau)
    {
        if (!double.IsFinite(tau) || tau < 0) throw new ArgumentOutOfRangeException(nameof(tau), tau, "τ must be finite and ≥ 0");
        double t2 = tau * tau;
        // arcsin(1/√(1+τ²)) = atan2(1, τ): exact at τ = 0 and for large τ.
        return 0.5 + t2 + (1 + t2) / Math.PI * Math.Atan2(1, tau) + tau / Math.PI;
    }

    /// <summary>
    /// P(Y_1 = 0) = 1/4 + arctan(τ)/(2π) for τ &gt; 0 (derived: P(ζ ≤ 0)/2 + P(ζ &gt; 0, ζ + τξ ≤ 0));
    /// 1/2 at τ = 0, where Y_1 = Y_0.
    /// </summary>
    public static double AtomMass1(double tau)
    {
        if (!double.IsFinite(tau) || tau < 0) throw new ArgumentOutOfRangeException(nameof(tau), tau, "τ must be finite and ≥ 0");
        return tau == 0 ? 0.5 : 0.25 + Math.Atan(tau) / (2 * Math.PI);
    }
}
