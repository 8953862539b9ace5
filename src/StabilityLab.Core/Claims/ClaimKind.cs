using StabilityLab.Models;

namespace StabilityLab.Claims;

/// <summary>What a claim asserts about its statistic over depth; each kind's test is in docs/claims.md.</summary>
public enum ClaimKind
{
    /// <summary>Stays bounded as L grows: equivalence test on the drift (slope against ln L) with a stated margin.</summary>
    Bounded,
    /// <summary>Grows without bound: the drift is significantly above the margin.</summary>
    Unbounded,
    /// <summary>The slope of ln(statistic) against ln L equals a value, with the finite-size correction where the theory has one.</summary>
    GrowthExponent,
    /// <summary>τ*(L) ∝ L^α over a τ family, α = value, with the finite-width τ*(L; m, K) as the finite-size correction.</summary>
    ThresholdExponent,
    /// <summary>The statistic lies below a bound expression at every cell.</summary>
    Below,
    /// <summary>The statistic lies above a bound expression at every cell.</summary>
    Above,
    /// <summary>Every cell's mean and sd of the log ratio agree with the finite-width theory within a stated model error.</summary>
    MatchesTheory,
    /// <summary>Training: every run's loss decays geometrically to below a stated fraction of its initial value.</summary>
    Converges,
    /// <summary>Training: the linear rate does not fall with depth (non-inferiority test on its slope against ln L).</summary>
    RateIndependentOfDepth,
    /// <summary>Training: every run at the deepest depth diverges or stalls.</summary>
    Diverges,
    /// <summary>Block products: mean log‖P‖₂² stays bounded in L (equivalence test on its slope against ln L).</summary>
    OperatorNormBounded,
    /// <summary>Training: the test accuracy of the claim's network is not worse than a reference network's by more than a
    /// margin at any depth (paired non-inferiority test over seeds).</summary>
    AccuracyComparison,
}

/// <summary>The spellings of <see cref="ClaimKind"/> in a claims file.</summary>
public static class ClaimKinds
{
    private static readonly Dictionary<string, ClaimKind> Names = new(StringComparer.Ordinal)
    {
        ["bounded"] = ClaimKind.Bounded,
        ["unbounded"] = ClaimKind.Unbounded,
        ["growth-exponent"] = ClaimKind.GrowthExponent,
        ["threshold-exponent"] = ClaimKind.ThresholdExponent,
        ["below"] = ClaimKind.Below,
        ["above"] = ClaimKind.Above,
        ["matches-theory"] = ClaimKind.MatchesTheory,
        ["converges"] = ClaimKind.Converges,
        ["rate-independent-of-depth"] = ClaimKind.RateIndependentOfDepth,
        ["diverges"] = ClaimKind.Diverges,
        ["operator-norm-bounded"] = ClaimKind.OperatorNormBounded,
        ["accuracy-comparison"] = ClaimKind.AccuracyComparison,
    };

    // Named in the schema (docs/claims.md) but evaluated elsewhere for now: a file using them is refused, not ignored.
    private static readonly Dictionary<string, string> Planned = new(StringComparer.Ordinal)
    {
    };

    /// <summary>The kinds measured on a stability sweep (Claims/Kinds); the others need a <see cref="IClaimRunner"/>.</summary>
    public static bool OnSweep(this ClaimKind k) => !k.IsTraining() && k != ClaimKind.OperatorNormBounded;

    /// <summary>The training kinds (runs of gradient descent, docs/claims.md §8).</summary>
    public static bool IsTraining(this ClaimKind k) => k is ClaimKind.Converges or ClaimKind.RateIndependentOfDepth or ClaimKind.Diverges or ClaimKind.AccuracyComparison;

    public static string Name(this ClaimKind k) => Names.First(p => p.Value == k).Key;

    public static ClaimKind Parse(string text, string where)
    {
        if (Names.TryGetValue(text, out var k)) return k;
        if (Planned.TryGetValue(text, out var why))
            throw new SpecException($"{where}: kind '{text}' is not checked by `check` yet ({why})");
        throw new SpecException($"{where}: unknown kind '{text}' (expected one of {string.Join(", ", Names.Keys)})");
    }
}
