namespace StabilityLab.Fitting;

/// <summary>
/// Holm's step-down adjustment (Holm 1979, "A simple sequentially rejective multiple test procedure"):
/// with the m p-values sorted p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted p₍ᵢ₎ is max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎).
/// Rejecting where the adjusted p-value is ≤ α controls the family-wise error rate at α under any dependence.
/// </summary>
public static class Holm
{
    public static double[] Adjust(IReadOnlyList<double> p)
    {
        int m = p.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => p[i]).ThenBy(i => i).ToArray();
        var adjusted = new double[m];
        double running = 0;
        for (int k = 0; k < m; k++)
        {
            double v = p[order[k]];
            if (double.IsNaN(v) || v < 0 || v > 1) throw new ArgumentException($"p-value {v} at {order[k]} is not in [0, 1]");
            running = Math.Max(running, Math.Min(1, (m - k) * v));
            adjusted[order[k]] = running;
        }
        return adjusted;
    }
}
