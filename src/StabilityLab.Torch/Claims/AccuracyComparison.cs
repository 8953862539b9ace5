using System.Globalization;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;
using StabilityLab.Claims;
using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Torch.Training;

namespace StabilityLab.Torch.Claims;

/// <summary>
/// The kind accuracy-comparison (docs/claims.md §9, the paper's claim 5): at every depth, the test accuracy of the claim's
/// network is not worse than its reference's by more than the margin δ. Both arms train on the same data at the same
/// seeds (same initial W, A, B draws and minibatch order) and are scored on the same test images, so the test is paired
/// over seeds and over images: at each depth the differences d_s = acc_claim(s) − acc_ref(s) give a one-sided
/// non-inferiority t-test of H₀: E d ≤ −δ with standard error √(Var(d̄)) from <see cref="PairedImageVariance"/>: the seeds'
/// spread s_d²/k plus the part of the test set's sampling variance that the per-image differences of the two arms share
/// (the test set is a sample of the images the claim is about), with Welch–Satterthwaite degrees of freedom. Runs without
/// their per-image results (a run scored at chance, a study written before test-correct.csv) fall back to
/// √(s_d²/k + v_test) with k − 1 degrees of freedom, v_test = p̃(1 − p̃)/n per arm (p̃ = (correct + 1)/(n + 2)) summed over
/// the two arms: conservative, since the arms err on many of the same images. The claim holds at every depth,
/// so its p is the largest over depths (an intersection–union test). PASS when the Holm-adjusted p ≤ α; FAIL when at some
/// depth the one-sided (1 − α) upper bound of E d lies below −δ (significantly worse beyond the margin); else INCONCLUSIVE.
/// A diverged run keeps the accuracy of its last evaluation before it diverged (the initialization's, when the test
/// accuracy is evaluated only at the end), and scores chance, 1/d for d classes, when its output was not finite even at
/// the initialization (τ = 1 at L = 128 overflows float32 before the first step).
/// </summary>
public static class AccuracyComparison
{
    /// <summary>One arm at one depth: mean test accuracy over seeds and its 95% interval (seed t interval widened by the test set's binomial variance).</summary>
    public sealed record ArmSummary(double Mean, double Lower, double Upper, int Seeds, int Diverged);

    /// <summary>One depth: the two arms and the paired difference with its one-sided bounds and non-inferiority p.</summary>
    public sealed record DepthComparison(int Depth, ArmSummary Claim, ArmSummary Reference, double Difference, double LowerBound, double UpperBound, double P);

    public static Check Evaluate(Claim c, TrainingStudyResult own, TrainingStudyResult reference, int testCount, int classes)
    {
        var r = c.Reference ?? throw new ArgumentException($"claim '{c.Id}' has no reference", nameof(c));
        string label = $"{c.Id}: {c.Statement}";
        string ownRule = TrainingClaims.Rule(c).ToString(), refRule = TrainingClaims.Rule(r.Arm(c)).ToString();
        string prediction = F($"test accuracy of {c.Network.Block.Name()}, τ = {ownRule} ≥ that of {r.Describe()} − {c.Margin:G3} at every depth L = {string.Join(", ", c.Depths)}");
        string test = F($"paired over seeds and test images at each depth: one-sided t-test of H₀: mean(acc − acc_ref) ≤ −δ, δ = {c.Margin:G3}, ")
            + F($"SE² = s_d²/k + the per-image differences' shared test-set variance (n = {testCount}; seeds × images mean squares, Welch–Satterthwaite df); p = the largest over depths; PASS when Holm-adjusted p ≤ {c.Alpha:G3}, ")
            + F($"FAIL when at some depth the {1 - c.Alpha:P0} upper bound lies below −δ");
        if (testCount < 1) return Check.Inconclusive(label, prediction, test, "the dataset has no test split");
        var rows = Compare(c.Depths, Runs(own, ownRule, classes), Runs(reference, refRule, classes), testCount, c.Margin, c.Alpha);
        if (rows.Count < c.Depths.Count)
            return Check.Inconclusive(label, prediction, test, F($"{rows.Count} of {c.Depths.Count} depths have ≥ 2 seeds with a test accuracy in both arms"));
        string Pct(double v) => (100 * v).ToString("F1", CultureInfo.InvariantCulture);
        string Arm(ArmSummary a) => $"{Pct(a.Mean)}% [{Pct(a.Lower)}, {Pct(a.Upper)}]" + (a.Diverged > 0 ? F($" ({a.Diverged} of {a.Seeds} diverged)") : "");
        string measured = string.Join("; ", rows.Select(x => F($"L = {x.Depth}: {Arm(x.Claim)} vs {Arm(x.Reference)}, difference {Pct(x.Difference)} points (lower bound {Pct(x.LowerBound)})")))
            + (c.PaperResult is { } paper ? $" — the paper (quoted, not re-measured): {paper}" : "");
        double p = rows.Max(x => x.P);
        bool worse = rows.Any(x => x.UpperBound < -c.Margin);
        return new Check(label, prediction, measured, test, p, adj =>
            adj <= c.Alpha ? (VerdictOutcome.Pass, null)
            : worse ? (VerdictOutcome.Fail, null)
            : (VerdictOutcome.Inconclusive, F($"a loss of more than δ = {c.Margin:G3} not excluded (Holm-adjusted p = {adj:G3})")));
    }

    /// <summary>The paired comparison at each depth where both arms have ≥ 2 common seeds with a test accuracy.</summary>
    public static IReadOnlyList<DepthComparison> Compare(IReadOnlyList<int> depths, IReadOnlyList<SweepRun> own, IReadOnlyList<SweepRun> reference,
        int testCount, double margin, double alpha)
    {
        var list = new List<DepthComparison>();
        foreach (int L in depths)
        {
            var a = own.Where(x => x.Depth == L && x.TestAccuracy is not null).ToDictionary(x => x.Seed);
            var b = reference.Where(x => x.Depth == L && x.TestAccuracy is not null).ToDictionary(x => x.Seed);
            var seeds = a.Keys.Intersect(b.Keys).Order().ToList();
            if (seeds.Count < 2) continue;
            var pa = seeds.Select(s => a[s].TestAccuracy!.Value).ToArray();
            var pb = seeds.Select(s => b[s].TestAccuracy!.Value).ToArray();
            var d = pa.Zip(pb, (x, y) => x - y).ToArray();
            int k = seeds.Count;
            var images = seeds.Select(s => (a[s].TestCorrect, b[s].TestCorrect)).ToList();
            var (variance, df) = images.All(x => x.Item1 is { } c && c.Count == testCount && x.Item2 is { } r && r.Count == testCount)
                ? PairedImageVariance(images.Select(x => (x.Item1!, x.Item2!)).ToList())
                : (d.Variance() / k + TestVariance(pa.Mean(), testCount) + TestVariance(pb.Mean(), testCount), k - 1);
            double se = Math.Sqrt(variance);
            double mean = d.Mean();
            double q = StudentT.InvCDF(0, 1, df, 1 - alpha);
            double p = 1 - StudentT.CDF(0, 1, df, (mean + margin) / se);
            list.Add(new DepthComparison(L, Summary(pa, testCount, seeds.Count(s => a[s].Outcome == TrainingOutcome.Diverged)),
                Summary(pb, testCount, seeds.Count(s => b[s].Outcome == TrainingOutcome.Diverged)), mean, mean - q * se, mean + q * se, p));
        }
        return list;
    }

    /// <summary>
    /// The test accuracy of every network the comparison claims (and their controls) train, by depth: one column per
    /// (block, τ rule), mean over seeds with its 95% interval, from the finished studies under <paramref name="studiesDir"/>
    /// (a network whose study has not run is left out). Markdown, for the reproduction's report.
    /// </summary>
    public static string Table(IReadOnlyList<Claim> claims, ulong seed, string studiesDir)
    {
        var comparisons = claims.Where(c => c.Kind == ClaimKind.AccuracyComparison).ToList();
        if (comparisons.Count == 0) return "";
        var plan = TrainingClaims.Plan(comparisons, seed);
        var columns = new List<(string Name, List<SweepRun> Runs, int Tests)>();
        var studies = new Dictionary<string, TrainingStudyResult?>(StringComparer.Ordinal);
        foreach (var arm in TrainingClaims.Arms(comparisons).DistinctBy(a => (a.Network.Block, Rule: TrainingClaims.Rule(a).ToString())))
        {
            var spec = plan[arm.Id];
            string dir = Path.Combine(studiesDir, TrainingClaims.Key(spec));
            if (!studies.TryGetValue(dir, out var study))
                studies[dir] = study = File.Exists(Path.Combine(dir, TrainingStudy.RunsFile)) ? TrainingStudy.Read(dir) : null;
            if (study is null) continue;
            string rule = TrainingClaims.Rule(arm).ToString();
            columns.Add(($"{arm.Network.Block.Name()}, τ = {rule}", Runs(study, rule, spec.Data.OutputDim), spec.Data is Data.FashionMnist f ? f.TestCount : 0));
        }
        if (columns.Count == 0) return "";
        string Pct(double v) => (100 * v).ToString("F1", CultureInfo.InvariantCulture);
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("Test accuracy (%), mean over seeds with its 95% interval (seed t interval widened by the test set's binomial variance); \"d/k diverged\" counts runs that diverged.");
        sb.AppendLine();
        sb.AppendLine("| L | " + string.Join(" | ", columns.Select(c => c.Name)) + " |");
        sb.AppendLine("|---|" + string.Concat(columns.Select(_ => "---|")));
        foreach (int L in comparisons.SelectMany(c => c.Depths).Distinct().Order())
        {
            var cells = columns.Select(c =>
            {
                var at = c.Runs.Where(x => x.Depth == L && x.TestAccuracy is not null).ToList();
                if (at.Count < 2 || c.Tests < 1) return "—";
                var a = Summary(at.Select(x => x.TestAccuracy!.Value).ToArray(), c.Tests, at.Count(x => x.Outcome == TrainingOutcome.Diverged));
                return $"{Pct(a.Mean)} [{Pct(a.Lower)}, {Pct(a.Upper)}]" + (a.Diverged > 0 ? F($" ({a.Diverged}/{a.Seeds} diverged)") : "");
            });
            sb.AppendLine(F($"| {L} | ") + string.Join(" | ", cells) + " |");
        }
        foreach (var paper in comparisons.Select(c => c.PaperResult).OfType<string>().Distinct())
            sb.AppendLine().AppendLine($"The paper (quoted, not re-measured): {paper}.");
        return sb.ToString();
    }

    /// <summary>
    /// Var(d̄) of the mean paired difference d̄ = (1/kn) Σ_{s,i} D_si, D_si = correct_claim(s, i) − correct_ref(s, i) ∈ {−1, 0, 1}
    /// over k seeds and the n test images both arms are scored on, and its Welch–Satterthwaite degrees of freedom
    /// (docs/claims.md §9). Seeds and images are two crossed random samples (the training draws and the images the claim is
    /// about), D_si = μ + a_s + b_i + e_si, so Var(d̄) = σ_a²/k + σ_b²/n + σ_e²/(kn), estimated from the two-way mean squares
    /// (one observation per cell) as (MS_seed + MS_image − MS_residual)/(kn) = s_d²/k + max(0, MS_image − MS_residual)/(kn):
    /// the seeds' spread s_d² of the per-seed differences already holds the image-by-seed part σ_e²/n, and only the part of
    /// the images' spread that the two arms share beyond it is added. The per-image differences pair the arms image by image
    /// (the McNemar view); adding the two arms' binomial variances instead (the fallback) ignores that they err on the same
    /// images and counts σ_e² again. Floored at 2/(kn²), one discordant image each way at every seed, so that arms that agree
    /// on every image are not declared equal with certainty.
    /// </summary>
    public static (double Variance, double DegreesOfFreedom) PairedImageVariance(IReadOnlyList<(CorrectImages Claim, CorrectImages Reference)> seeds)
    {
        int k = seeds.Count;
        if (k < 2) throw new ArgumentException("the paired variance needs at least 2 seeds", nameof(seeds));
        int n = seeds[0].Claim.Count;
        if (seeds.Any(x => x.Claim.Count != n || x.Reference.Count != n)) throw new ArgumentException("every run must be scored on the same images", nameof(seeds));
        var perSeed = new double[k];
        var perImage = new double[n];
        double sumSquares = 0;
        for (int s = 0; s < k; s++)
        {
            var (c, r) = seeds[s];
            long sum = 0;
            for (int i = 0; i < n; i++)
            {
                int v = (c[i] ? 1 : 0) - (r[i] ? 1 : 0);
                sum += v;
                perImage[i] += v;
                sumSquares += v * v;
            }
            perSeed[s] = (double)sum / n;
        }
        double grand = perSeed.Average();
        double ssSeed = n * perSeed.Sum(x => (x - grand) * (x - grand));
        double ssImage = k * perImage.Sum(x => (x / k - grand) * (x / k - grand));
        double ssResidual = Math.Max(0, sumSquares - k * n * grand * grand - ssSeed - ssImage);
        double kn = (double)k * n;
        double seedPart = ssSeed / (k - 1) / kn, imagePart = ssImage / (n - 1) / kn, residualPart = ssResidual / ((k - 1.0) * (n - 1)) / kn;
        double shared = Math.Max(0, imagePart - residualPart);
        double variance = seedPart + shared;
        double floor = 2.0 / (k * (double)n * n);
        double denominator = seedPart * seedPart / (k - 1)
            + (shared > 0 ? imagePart * imagePart / (n - 1) + residualPart * residualPart / ((k - 1.0) * (n - 1)) : 0);
        if (!(variance > floor) || !(denominator > 0)) return (Math.Max(variance, floor), k - 1);
        return (variance, Math.Max(k - 1, variance * variance / denominator));
    }

    /// <summary>Mean accuracy over seeds with its 95% interval: t (k − 1 df) on √(s²/k + p̃(1 − p̃)/n), cut to [0, 1].</summary>
    private static ArmSummary Summary(double[] acc, int testCount, int diverged)
    {
        double mean = acc.Mean();
        double half = StudentT.InvCDF(0, 1, acc.Length - 1, 0.975) * Math.Sqrt(acc.Variance() / acc.Length + TestVariance(mean, testCount));
        return new ArmSummary(mean, Math.Max(0, mean - half), Math.Min(1, mean + half), acc.Length, diverged);
    }

    /// <summary>The binomial variance of an accuracy measured on n test images, p̃(1 − p̃)/n with p̃ = (np + 1)/(n + 2) (never 0).</summary>
    private static double TestVariance(double accuracy, int n)
    {
        double pt = (accuracy * n + 1) / (n + 2);
        return pt * (1 - pt) / n;
    }

    /// <summary>The runs of one τ rule, a run that diverged before any evaluation scored at chance (1/classes).</summary>
    private static List<SweepRun> Runs(TrainingStudyResult study, string rule, int classes) => study.Runs.Where(x => x.TauRule == rule)
        .Select(x => x.TestAccuracy is null && x.Outcome == TrainingOutcome.Diverged ? x with { TestAccuracy = 1.0 / classes } : x).ToList();

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
