using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Fitting;

/// <summary>
/// The exponent of τ*(L) through measured thresholds: the line, whether the finite-size part was divided out, and why not.
/// <see cref="Predicted"/> holds the finite-width τ*(L; m, K) at the fitted depths where it was divided out (else empty),
/// and, when asked for, at the geometric midpoints between them (to draw it): the fitted law is then
/// τ*(L) = τ*(L; m, K)·√L·e^Intercept·L^Slope at every depth it holds.
/// </summary>
public sealed record ThresholdExponentFit(LineFit? Line, bool FiniteSizeCorrected, string Note)
{
    public IReadOnlyDictionary<int, double> Predicted { get; init; } = new Dictionary<int, double>();

    /// <summary>The width m of the fitted thresholds (0 when there were none).</summary>
    public int Width { get; init; }

    /// <summary>The measured τ*(L) against the prediction at every fitted depth, with no parameter fitted (empty where
    /// nothing was divided out).</summary>
    public IReadOnlyList<ThresholdAgreement> Agreement { get; init; } = [];

    /// <summary>The χ² test of <see cref="Agreement"/> (null without rows).</summary>
    public ThresholdAgreementTest? AgreementTest => ThresholdAgreementTest.Of(Agreement);

    /// <summary>The fitted τ*(L) at a depth of <see cref="Predicted"/> (the line, times the divided-out part where there is one).</summary>
    public double Evaluate(int depth) => Line is null ? double.NaN
        : Math.Exp(Line.Intercept + Line.Slope * Math.Log(depth)) * (FiniteSizeCorrected ? Predicted[depth] * Math.Sqrt(depth) : 1);
}

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
    /// <param name="estimates">τ*(L) with its SE of ln τ*, one (block, width) group</param>
    /// <param name="activation">the network's activation (the finite-width τ* exists for the post block with ReLU)</param>
    /// <param name="blowupLevel">K of the median criterion</param>
    /// <param name="minDepth">the smallest depth fitted</param>
    /// <param name="midpoints">also predict τ*(L; m, K) at the geometric midpoints between fitted depths (for a figure)</param>
    public static ThresholdExponentFit Fit(IReadOnlyList<ThresholdEstimate> estimates, Activation activation, double blowupLevel, int minDepth = 1,
        bool midpoints = false)
    {
        var used = estimates.Where(e => e.Depth >= minDepth && e.LogTauSe > 0 && double.IsFinite(e.LogTauSe)).OrderBy(e => e.Depth).ToList();
        if (used.Count < 3)
            return new ThresholdExponentFit(null, false, $"τ* at {used.Count} depths ≥ {minDepth} with a finite SE; the exponent needs 3");
        bool corrected = used.All(e => e.Block == BlockKind.Post) && activation == Activation.Relu;
        // τ*(L; m, K) at each depth is independent and deterministic (≈ 0.4 s at L = 4096): in parallel, in order.
        var depths = used.Select(e => e.Depth).ToList();
        if (corrected && midpoints)
            depths = depths.Concat(depths.Zip(depths.Skip(1), (a, b) => (int)Math.Round(Math.Sqrt((double)a * b))))
                .Distinct().Order().ToList();
        int width = used[0].Width;
        var predicted = corrected
            ? depths.AsParallel().AsOrdered().Select(L => (L, Tau: ThresholdPrediction.TauStar(L, width, blowupLevel))).ToDictionary(p => p.L, p => p.Tau)
            : new Dictionary<int, double>();
        var y = used.Select(e => Math.Log(e.TauStar) - (corrected ? Math.Log(predicted[e.Depth] * Math.Sqrt(e.Depth)) : 0)).ToArray();
        var line = WeightedLineFit.Fit(used.Select(e => Math.Log(e.Depth)).ToArray(), y, used.Select(e => e.LogTauSe).ToArray());
        var agreement = corrected
            ? used.AsParallel().AsOrdered().Select(e => ThresholdAgreement.Of(e, predicted[e.Depth], blowupLevel)).ToList()
            : [];
        return new ThresholdExponentFit(line, corrected, corrected
            ? "finite-size part of the finite-width τ*(L; m, K) divided out"
            : "plain log–log slope: no finite-width τ* for this block and activation")
        {
            Width = width,
            Predicted = predicted,
            Agreement = agreement,
        };
    }
}
