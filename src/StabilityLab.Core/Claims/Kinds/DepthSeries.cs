using System.Globalization;
using StabilityLab.Fitting;

namespace StabilityLab.Claims.Kinds;

/// <summary>
/// The usable points of a claim over its depths and the weighted line through them (<see cref="WeightedLineFit"/>:
/// SEs inflated by √χ²_red where the scatter exceeds them, Student t with n − 2 degrees of freedom), shared by the
/// kinds that test a slope against ln L.
/// </summary>
internal static class DepthSeries
{
    /// <summary>y against ln L over the usable points (y from <paramref name="transform"/>, which may refuse a point by returning null).</summary>
    public static (LineFit? Fit, string Note) Line(IReadOnlyList<DepthPoint> points, Func<DepthPoint, (double Y, double Se)?> transform, string what)
    {
        var used = new List<(double X, double Y, double Se)>();
        var skipped = new List<string>();
        foreach (var p in points.OrderBy(p => p.Depth))
        {
            if (!p.Usable) { skipped.Add(F($"L={p.Depth}: {p.Excluded}")); continue; }
            if (transform(p) is not { } t || !double.IsFinite(t.Y) || !(t.Se > 0)) { skipped.Add(F($"L={p.Depth}: {what} not defined")); continue; }
            used.Add((Math.Log(p.Depth), t.Y, t.Se));
        }
        string note = skipped.Count == 0 ? "" : "; left out: " + string.Join("; ", skipped);
        if (used.Count < 3) return (null, F($"{used.Count} usable depths, 3 needed{note}"));
        return (WeightedLineFit.Fit(used.Select(u => u.X).ToArray(), used.Select(u => u.Y).ToArray(), used.Select(u => u.Se).ToArray()), note);
    }

    /// <summary>
    /// The average drift between the shallowest and the deepest usable depth, (y_deep − y_shallow)/ln(L_deep/L_shallow),
    /// with its SE from the two points' SEs (independent cells). It needs no line model, so a statistic that explodes
    /// faster than linearly in ln L — whose line fit has a huge χ²_red and so a huge inflated SE — is still judged by how
    /// far it moved. Null with fewer than two usable depths.
    /// </summary>
    public static (double Drift, double Se)? EndToEnd(IReadOnlyList<DepthPoint> points)
    {
        var used = points.Where(p => p.Usable && double.IsFinite(p.Value) && p.Se > 0).OrderBy(p => p.Depth).ToList();
        if (used.Count < 2 || used[^1].Depth == used[0].Depth) return null;
        double span = Math.Log((double)used[^1].Depth / used[0].Depth);
        return ((used[^1].Value - used[0].Value) / span, Math.Sqrt(used[^1].Se * used[^1].Se + used[0].Se * used[0].Se) / span);
    }

    /// <summary>One-sided p of H₀: drift ≤ <paramref name="value"/> for the end-to-end drift (normal).</summary>
    public static double EndAbove((double Drift, double Se) e, double value) => 1 - MathNet.Numerics.Distributions.Normal.CDF(0, 1, (e.Drift - value) / e.Se);

    /// <summary>The level of the two one-sided tests' interval, 1 − 2α, as "90%".</summary>
    public static string Level(double alpha) => F($"{100 * (1 - 2 * alpha):G3}%");

    public static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
