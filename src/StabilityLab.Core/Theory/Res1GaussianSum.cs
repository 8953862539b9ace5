using StabilityLab.Models;

namespace StabilityLab.Theory;

/// <summary>
/// The res1 ReLU recursion in closed form (derived here, docs/science.md §3 corrected): the branch noises
/// are independent Gaussians, so Y_l = Y_0 + √S_l ξ with Y_0 = (√2ζ)_+ independent of ξ, and
/// S_l = S_{l−1} + 2τ_l² P(S_{l−1}), P(S) = E[(Y_0 + √S ξ)_+²] = Q_1(√(S/2)), q_l = E[Y_l²] = 1 + S_l.
/// With u = √(2/S): P(S)/S = u²/4 + 1/2 + (1+u²)·arctan(u)/(2π) + u/(2π), which → 1/2 only as S → ∞.
/// Kept in the log domain (log S) so constant τ at any depth stays finite.
/// </summary>
internal static class Res1GaussianSum
{
    public static InfiniteWidthCurve Evolve(IReadOnlyList<double> tau)
    {
        TauSchedules.Check(tau);
        int depth = tau.Count;
        var logQ = new double[depth + 1];
        var atom = new double[depth + 1];
        var positive = new double[depth + 1];
        var noise = new double[depth + 1];
        noise[0] = 5; // Var(Y_0²) = 6 − 1
        atom[0] = 0.5;
        positive[0] = 1;
        double logS = double.NegativeInfinity; // S_0 = 0
        for (int l = 1; l <= depth; l++)
        {
            double t2 = tau[l - 1] * tau[l - 1];
            // noise variance in units of q_{l−1}: σ² = 2τ² P/q; Var((X+σξ)²)/r² with E X² = 1, r = 1 + σ²
            double s2 = 2 * t2 * positive[l - 1];
            noise[l] = (4 * s2 + 2 * s2 * s2) / ((1 + s2) * (1 + s2));
            if (double.IsNegativeInfinity(logS))
            {
                // P(0) = E[Y_0²] = 1.
                if (t2 > 0) logS = Math.Log(2 * t2);
            }
            else
            {
                logS += StdNormal.Log1p(2 * t2 * PositivePartOverS(logS));
            }
            atom[l] = double.IsNegativeInfinity(logS) ? 0.5 : 0;
            logQ[l] = StdNormal.LogAddExp(0, logS);
            positive[l] = double.IsNegativeInfinity(logS) ? 1 : Math.Exp(Math.Log(PositivePartOverS(logS)) + logS - logQ[l]);
        }
        return new InfiniteWidthCurve(BlockKind.Res1, logQ, atom, positive, noise, null);
    }

    /// <summary>P(S)/S for S = e^{logS} &gt; 0.</summary>
    internal static double PositivePartOverS(double logS)
    {
        double u = Math.Sqrt(2) * Math.Exp(-0.5 * logS);
        if (double.IsPositiveInfinity(u)) return double.PositiveInfinity;
        return u * u / 4 + 0.5 + (1 + u * u) * Math.Atan(u) / (2 * Math.PI) + u / (2 * Math.PI);
    }
}
