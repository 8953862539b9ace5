namespace StabilityLab.Plotting.Data;

/// <summary>An estimated stability threshold τ*(L) at depth L with its interval [Lo, Hi] (all τ values).</summary>
public sealed record ThresholdPoint(int Depth, double Tau, double Lo, double Hi)
{
    /// <summary>A threshold given as an exponent β* (τ* = L^{−β*}); the interval [βLo, βHi] maps to [L^{−βHi}, L^{−βLo}].</summary>
    public static ThresholdPoint FromBeta(int depth, double beta, double betaLo, double betaHi) =>
        new(depth, Math.Pow(depth, -beta), Math.Pow(depth, -betaHi), Math.Pow(depth, -betaLo));

    /// <summary>The exponent β* = −ln τ*/ln L (undefined at L = 1).</summary>
    public double Beta => -Math.Log(Tau) / Math.Log(Depth);
}
