using StabilityLab.Randomness;
using StabilityLab.Models;

namespace StabilityLab.Spectral;

/// <summary>
/// One row of spectra.csv: the statistics over the live trials of one (network spec, τ rule) cell.
/// Norm statistics are of log ‖·‖₂² (see <see cref="SpectralTrial"/>); Gram/NTK statistics are of
/// log λ_min and of log(λ_min / mean diagonal); a null statistic was not measured (or no trial had a
/// positive value) and is written as an empty field.
/// </summary>
public sealed record SpectralCell(
    NetworkSpec Spec,
    ulong Seed,
    int Trials,
    int DeadTrials,
    PairSelection Pairs,
    int PairsPerTrial,
    bool AllPairs,
    LogStatistic? Whole,
    LogStatistic? MaxPair,
    long NormsNotConverged,
    double MeanSteps,
    int Inputs,
    string GramSampler,
    LogStatistic? GramLogMinEig,
    LogStatistic? GramLogRelMinEig,
    int GramNonPositive,
    LogStatistic? NtkLogMinEig,
    LogStatistic? NtkLogRelMinEig,
    int NtkNonPositive,
    double Seconds)
{
    /// <summary>τ at layer 1 (the value of the rule for a depth-only rule).</summary>
    public double Tau => Spec.Tau.Evaluate(Spec.Depth, 1);

    /// <summary>Aggregates the trials of one cell.</summary>
    public static SpectralCell Summarize(NetworkSpec spec, ulong seed, IReadOnlyList<SpectralTrial> trials, PairSelection pairs,
        int pairsPerTrial, int inputs, string gramSampler, double seconds)
    {
        var live = trials.Where(t => !t.Dead).ToArray();
        var gram = live.Where(t => t.Gram is { Dead: false }).Select(t => t.Gram!).ToArray();
        var ntk = live.Where(t => t.Ntk is { Dead: false }).Select(t => t.Ntk!).ToArray();
        return new SpectralCell(
            spec, seed, live.Length, trials.Count - live.Length, pairs, pairsPerTrial, pairs.IsComplete(spec.Depth),
            LogStatistic.Of(live.Select(t => t.WholeLogSq)),
            LogStatistic.Of(live.Select(t => t.MaxPairLogSq)),
            live.Sum(t => (long)t.PairsNotConverged),
            live.Length > 0 ? live.Average(t => t.MeanSteps) : 0.0,
            inputs,
            gramSampler,
            LogStatistic.Of(gram.Where(g => g.LogMinEig.HasValue).Select(g => g.LogMinEig!.Value)),
            LogStatistic.Of(gram.Where(g => g.LogRelMinEig.HasValue).Select(g => g.LogRelMinEig!.Value)),
            gram.Count(g => !g.Positive),
            LogStatistic.Of(ntk.Where(g => g.LogMinEig.HasValue).Select(g => g.LogMinEig!.Value)),
            LogStatistic.Of(ntk.Where(g => g.LogRelMinEig.HasValue).Select(g => g.LogRelMinEig!.Value)),
            ntk.Count(g => !g.Positive),
            seconds);
    }

    /// <summary>The figure points of this cell (whole product, and the largest pair).</summary>
    public IEnumerable<OperatorNormPoint> Points()
    {
        if (Whole is not null) yield return OperatorNormPoint.From(Spec.Tau.ToString(), Spec.Depth, Spec.Width, ProductQuantity.Whole, Whole);
        if (MaxPair is not null) yield return OperatorNormPoint.From(Spec.Tau.ToString(), Spec.Depth, Spec.Width, ProductQuantity.MaxPair, MaxPair);
    }
}
