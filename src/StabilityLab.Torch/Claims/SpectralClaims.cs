using System.Globalization;
using System.Text.Json.Nodes;
using StabilityLab.Claims;
using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Spectral;

namespace StabilityLab.Torch.Claims;

/// <summary>
/// The kind operator-norm-bounded (docs/claims.md §8): the operator norm of block products D_b(I+τW_b)···D_a(I+τW_a) stays
/// bounded in L — an equivalence test on the slope of mean log‖P‖₂² against ln L with the claim's margin, for the whole
/// product (quantity product) or the largest over pairs (product-max). Claims and controls on the same network, depths
/// and trials share one spectral study under studies/&lt;key&gt; holding every τ rule they use; a finished study is reused.
/// </summary>
public sealed class SpectralClaims : IClaimRunner
{
    public IReadOnlyCollection<ClaimKind> Kinds { get; } = [ClaimKind.OperatorNormBounded];

    /// <summary>Gram inputs of the study (for the NTK columns of spectra.csv; no claim reads them yet).</summary>
    public const int Inputs = 8;

    /// <summary>The spectral study of every claim, by id.</summary>
    public static IReadOnlyDictionary<string, SpectralStudySpec> Plan(IReadOnlyList<Claim> claims, ulong seed)
    {
        var plan = new Dictionary<string, SpectralStudySpec>(StringComparer.Ordinal);
        foreach (var g in claims.GroupBy(c => (c.Network, Depths: string.Join(",", c.Depths), c.Trials)))
        {
            var first = g.First();
            var n = first.Network;
            var rules = g.Select(TrainingClaims.Rule).Distinct().ToArray();
            var depths = first.Depths.ToArray();
            string taus = string.Join(" ", rules.Select(r => $"--tau \"{r}\""));
            try
            {
                var spec = new SpectralStudySpec(SpectralStudySpec.Grid(n.Width, depths, rules, n.Block, n.Activation, n.Weights), depths, rules, first.Trials, seed,
                    Inputs, GramPath.Dense, PairSelection.Auto, OperatorNorm.DefaultTolerance, OperatorNorm.DefaultMaxSteps, Svd: false, Raw: false, MemoryBytes: 1024L << 20,
                    CommandLine: $"stabilitylab spectrum --width {n.Width} --depth {string.Join(",", depths)} {taus} --trials {first.Trials} --seed {seed} --inputs {Inputs} --pairs auto --threads 1");
                foreach (var c in g) plan[c.Id] = spec;
            }
            catch (SpecException e) { throw new SpecException($"claim '{first.Id}': {e.Message}"); }
        }
        return plan;
    }

    /// <summary>The directory name of a study: a hash of its cells and settings.</summary>
    public static string Key(SpectralStudySpec s) => StudyKey.Of(new JsonObject
    {
        ["block"] = s.Cells[0].Block.Name(),
        ["activation"] = s.Cells[0].Activation.Name(),
        ["weights"] = s.Cells[0].Weights.Name(),
        ["width"] = s.Cells[0].Width,
        ["depths"] = new JsonArray([.. s.Depths.Select(d => (JsonNode)d)]),
        ["tau_rules"] = new JsonArray([.. s.Rules.Select(r => (JsonNode)r.ToString())]),
        ["trials"] = s.Trials,
        ["seed"] = s.Seed,
        ["inputs"] = s.Inputs,
        ["pairs"] = s.Pairs.ToString(),
    });

    public void Validate(IReadOnlyList<Claim> claims, ulong seed) => StudyKey.ValidateEach(claims, Plan(claims, seed), s => s.Validate());

    public ClaimRunnerResult Run(IReadOnlyList<Claim> claims, ulong seed, string studiesDir, ClaimRunnerContext context)
    {
        var plan = Plan(claims, seed);
        var checks = new Dictionary<string, (Check, string)>(StringComparer.Ordinal);
        foreach (var g in claims.GroupBy(c => Key(plan[c.Id])))
        {
            var spec = plan[g.First().Id];
            string dir = Path.Combine(studiesDir, g.Key);
            // A spectral study is not resumable: an unfinished one starts again.
            if (Directory.Exists(dir) && (context.Fresh || !StudyKey.IsComplete(dir))) Directory.Delete(dir, recursive: true);
            if (!StudyKey.IsComplete(dir))
            {
                context.Log?.Invoke($"check: spectral study {g.Key} ({string.Join(", ", spec.Rules)}; m={spec.Cells[0].Width}, L = {string.Join(", ", spec.Depths)}, {spec.Trials} trials) for {string.Join(", ", g.Select(c => c.Id))}");
                SpectralStudyResult r = null!;
                context.Progress($"spectrum {g.Key}", "trials", SpectralStudy.Work(spec), advance => r = SpectralStudy.Run(spec, dir, threads: 1, advance, context.Log));
                foreach (var line in r.Table()) context.Log?.Invoke(line);
            }
            var points = SpectraTable.ReadPoints(Path.Combine(dir, SpectraTable.FileName));
            foreach (var c in g) checks[c.Id] = (Evaluate(c, points), dir);
        }
        return new ClaimRunnerResult(checks);
    }

    /// <summary>The claim's test on the points of its τ rule and quantity.</summary>
    public static Check Evaluate(Claim c, IReadOnlyList<OperatorNormPoint> points)
    {
        var q = c.Quantity == Quantity.ProductMax ? ProductQuantity.MaxPair : ProductQuantity.Whole;
        var rule = TrainingClaims.Rule(c);
        var group = points.Where(p => p.Quantity == q && TauRule.ParseBound(p.TauRule).Equals(rule)).ToList();
        string what = q == ProductQuantity.Whole ? "whole product J_L···J_1" : "largest over all pairs (a, b)";
        return BoundedProducts($"{c.Id}: {c.Statement}", group, what, rule.ToString(), c.Margin, c.Alpha);
    }

    /// <summary>Equivalence test of the slope of mean log‖P‖₂² against ln L (weighted least squares; fewer than 3 depths: INCONCLUSIVE).</summary>
    public static Check BoundedProducts(string label, IReadOnlyList<OperatorNormPoint> group, string what, string tau, double margin, double alpha)
    {
        var all = group.OrderBy(p => p.Depth).ToList();
        var pts = all.Where(p => double.IsFinite(p.MeanLogSq) && double.IsFinite(p.MeanLo) && double.IsFinite(p.MeanHi)).ToList();
        var fit = pts.Count < 3 ? null : WeightedLineFit.Fit(pts.Select(p => Math.Log(p.Depth)).ToArray(), pts.Select(p => p.MeanLogSq).ToArray(),
            pts.Select(p => Math.Max((p.MeanHi - p.MeanLo) / 3.92, 1e-9)).ToArray());
        string over = pts.Count == 0 ? "" : F($"over L = {pts[0].Depth}..{pts[^1].Depth}");
        string missing = F($"{pts.Count} depth(s) with a finite mean log‖P‖₂² (grid L = {string.Join(", ", all.Select(p => p.Depth))}); the slope needs 3");
        string medians = pts.Count == 0 ? "" : F($"; median ‖P‖₂ {Math.Exp(pts[0].MedianLogSq / 2):G3} at L = {pts[0].Depth}, {Math.Exp(pts[^1].MedianLogSq / 2):G3} at L = {pts[^1].Depth}");
        var check = GrowthChecks.Equivalent(label,
            F($"‖D_b(I+τW_b)···D_a(I+τW_a)‖₂ bounded independent of L at τ = {tau}: slope of mean log‖P‖₂² vs log L → 0, |slope| < δ = {margin:G3}"),
            "(the claim's margin, docs/claims.md §8)", fit, margin, over, missing, alpha);
        return fit is null ? check : check with { Measurement = what + ": " + check.Measurement + medians };
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
