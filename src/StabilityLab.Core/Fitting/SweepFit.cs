using StabilityLab.Output;

namespace StabilityLab.Fitting;

/// <summary>What `fit` computes and writes for a sweep directory: the verdicts and, beside them, the finite-width comparison.</summary>
public sealed record SweepFitResult(FitReport Fit, TheoryReport Theory);

/// <summary>
/// The fit step of a sweep, shared by `fit` and `reproduce`: <see cref="SweepAnalysis.Run"/> (thresholds, laws, verdicts),
/// then <see cref="SweepTheory.Run"/> (every post/ReLU cell against the finite-width theory), written as fits.json and
/// theory.csv in the sweep directory.
/// </summary>
public static class SweepFit
{
    public const string FitsFile = "fits.json";
    public const string TheoryFile = "theory.csv";

    public static SweepFitResult Run(string dir, FitOptions options)
    {
        var report = SweepAnalysis.Run(dir, options);
        var theory = SweepTheory.Run(dir, report, options);
        AtomicFile.WriteAllText(Path.Combine(dir, FitsFile), SweepTheory.AddToJson(SweepAnalysis.ToJson(report, options), theory));
        AtomicFile.WriteAllText(Path.Combine(dir, TheoryFile), TheoryComparison.Csv(theory.Cells));
        return new SweepFitResult(report, theory);
    }
}
