using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Fitting;

/// <summary>The exponent of τ*(L) through measured thresholds: the line, whether the finite-size part was divided out, and why not.</summary>
public sealed record ThresholdExponentFit(LineFit? Line, bool FiniteSizeCorrected, string Note);

/// <summary>
/// The exponent α of τ*(L) ∝ L^α from per-depth thresholds (docs/claims.md §3). For the post block with ReLU, where the
/// finite-width theory predicts τ*(L; m, K) (docs/finite-width.md §7), the finite-size part of that prediction is
/// divided out: α is the weighted slope of ln(τ*_measured / (τ*_predicted·√L)) against ln L, which is −1/2 exactly
/// when the theory holds, so the curvature of τ*(L) at small L does not bias it. Elsewhere α is the plain log–log
/// slope, and <see cref="ThresholdExponentFit.Note"/> says so. Weighted by the bootstrap SE of ln τ*, SE inflated by
/// √χ²_red (<see cref="WeightedLineFit"/>).
/// </summary>
public static class ThresholdExponent
{
    public static ThresholdExponentFit Fit(IReadOnlyList<ThresholdEstimate> estimates, Activation activation, double blowupLevel, int minDepth = 1)
    {
        var used = estimates.Where(e => e.Depth >= minDepth && e.LogTauSe > 0 && double.IsFinite(e.LogTauSe)).OrderBy(e => e.Depth).ToList();
        if (used.Count < 3)
            return new ThresholdExponentFit(null, false, $"τ* at {used.Count} depths ≥ {minDepth} with a finite SE; the exponent needs 3");
        bool corrected = used.All(e => e.Block == BlockKind.Post) && activation == Activation.Relu;
        var y = used.Select(e => Math.Log(e.TauStar)
            - (corrected ? Math.Log(ThresholdPrediction.TauStar(e.Depth, e.Width, blowupLevel) * Math.Sqrt(e.Depth)) : 0)).ToArray();
        var line = WeightedLineFit.Fit(used.Select(e => Math.Log(e.Depth)).ToArray(), y, used.Select(e => e.LogTauSe).ToArray());
        return new ThresholdExponentFit(line, corrected, corrected
            ? "finite-size part of the finite-width τ*(L; m, K) divided out"
            : "plain log–log slope: no finite-width τ* for this block and activation");
    }
}
