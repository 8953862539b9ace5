namespace StabilityLab.Theory;

/// <summary>
/// Gregory's end-corrected trapezoid rule at the left end of [0, ∞):
/// ∫_0^∞ F ≈ h[F_0/2 + Σ_{j≥1} F_j] + h Σ_{k=1}^{6} g_k Δ^k F_0, with
/// g = (1/12, −1/24, 19/720, −3/160, 863/60480, −275/24192) (Euler–Maclaurin with forward differences).
/// Error O(h^8 F^(7)) for F smooth on [0, ∞) that vanishes at the right end.
/// </summary>
internal static class GregoryWeights
{
    private static readonly double[] G = [1.0 / 12, -1.0 / 24, 19.0 / 720, -3.0 / 160, 863.0 / 60480, -275.0 / 24192];

    private static readonly double[] LeftWeights = Build();

    /// <summary>The weights w_0..w_6 (all later weights are 1).</summary>
    public static ReadOnlySpan<double> Left => LeftWeights;

    private static double[] Build()
    {
        var w = new double[G.Length + 1];
        Array.Fill(w, 1.0);
        w[0] = 0.5;
        for (int k = 1; k <= G.Length; k++)
        {
            // Δ^k F_0 = Σ_i (−1)^{k−i} C(k, i) F_i
            double c = 1;
            for (int i = 0; i <= k; i++)
            {
                if (i > 0) c = c * (k - i + 1) / i;
                w[i] += G[k - 1] * (((k - i) & 1) == 0 ? c : -c);
            }
        }
        return w;
    }
}
