using System.Text.Json.Nodes;
using System.CommandLine;
using System.Globalization;
using MathNet.Numerics.Distributions;
using StabilityLab.Fitting;
using StabilityLab.Statistics;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Sweeps;
using StabilityLab.Theory;
using StabilityLab.Tables;

using StabilityLab.Output;

namespace StabilityLab.Cli.Commands;

/// <summary>
/// `stabilitylab verify DIR --bound NAME`: a named bound against a sweep, with a stated test, ending in PASS
/// (printed CONSISTENT), FAIL (CONTRADICTED) or INCONCLUSIVE; exit codes as <see cref="CliApp.ExitCodeFor"/>.
/// </summary>
public static class VerifyCommand
{
    public static Command Build(CliIo io)
    {
        var dir = new Argument<string>("sweep-dir") { Description = "a sweep directory" };
        var bound = new Option<string>("--bound") { Description = "first-moment | bounded | converse", Required = true };
        var constant = new Option<double>("--constant") { Description = "bounded: the cells with τ ≤ constant/√L are checked", DefaultValueFactory = _ => 1.0 }.FiniteAbove(0);
        var level = new Option<double>("--level") { Description = "bounded: B, the claimed bound on max_l ‖h_l‖/‖h_0‖", DefaultValueFactory = _ => 10.0 }.FiniteAbove(1);
        var delta = new Option<double>("--delta") { Description = "bounded: the allowed failure probability δ", DefaultValueFactory = _ => 0.05 }
            .Check(v => v is > 0 and < 1 ? null : $"must lie in (0, 1) (got {v})");
        var minDepth = new Option<int>("--min-depth") { Description = "converse: fit over depths ≥ this", DefaultValueFactory = _ => 16 }.AtLeast(1);
        var alpha = new Option<double>("--alpha") { Description = "test level (Bonferroni over cells, Holm over the checks)", DefaultValueFactory = _ => 0.05 }
            .Check(a => a is > 0 and < 1 ? null : $"must lie in (0, 1) (got {a})");
        var json = OutputOptions.Json("print the verdicts as JSON (the keys of fits.json's summary and verdicts) instead of text");
        var cmd = new Command("verify", "Check a named bound against a sweep with a statistical test; prints CONSISTENT, CONTRADICTED or INCONCLUSIVE; " + CliApp.VerdictExitCodes + ".")
            { dir, bound, constant, level, delta, minDepth, alpha, json };
        cmd.SetAction(r =>
        {
            var d = r.GetValue(dir)!;
            double a = r.GetValue(alpha);
            var cellsPath = Path.Combine(d, SweepRunner.CellsFile);
            if (!File.Exists(cellsPath)) throw new SpecException($"{d} has no {SweepRunner.CellsFile}: not a sweep directory");
            var cells = CellsTable.Read(cellsPath);
            IReadOnlyList<Check> checks = r.GetValue(bound)!.Trim().ToLowerInvariant() switch
            {
                "first-moment" => [FirstMomentCheck.Build(cells, a) ?? throw new SpecException("no post-block ReLU cells with a known τ rule to check")],
                "bounded" => [Bounded(d, cells, r.GetValue(constant), r.GetValue(level), r.GetValue(delta), a)],
                "converse" => Converse(cells, r.GetValue(minDepth), a),
                var other => throw new SpecException($"unknown bound '{other}' (expected first-moment, bounded or converse)"),
            };
            var verdicts = VerdictFamily.Resolve(checks);
            int code = CliApp.ExitCodeFor(verdicts);
            if (r.GetValue(json))
            {
                io.Out.Write(JsonText.Of(new JsonObject
                {
                    ["summary"] = VerdictJson.Summary(verdicts, a),
                    ["verdicts"] = new JsonArray(verdicts.Select(v => (JsonNode)VerdictJson.Of(v)).ToArray()),
                }));
                return code;
            }
            foreach (var v in verdicts)
            {
                io.Out.WriteLine($"{v.Claim}: {v.Prediction}; measured {v.Measurement}; test: {v.Test}: {v.Outcome}" + (v.Reason is null ? "" : $" ({v.Reason})"));
            }
            io.Out.WriteLine(VerdictFamily.Headline(verdicts));
            io.Out.WriteLine(code switch { CliApp.ExitOk => "CONSISTENT", CliApp.ExitContradiction => "CONTRADICTED", _ => "INCONCLUSIVE" });
            return code;
        });
        return cmd;
    }

    /// <summary>
    /// P(max_l ‖h_l‖/‖h_0‖ > B) ≤ δ in every cell with τ ≤ c/√L, shown rather than assumed: PASS when every cell's
    /// exact binomial test of H₀: rate ≥ δ rejects at α (an intersection–union test, so no correction: equivalently
    /// every one-sided Clopper–Pearson upper bound lies below δ); FAIL when some cell's Clopper–Pearson lower bound at
    /// α/n (Bonferroni) lies above δ; else INCONCLUSIVE (too few live trials to tell).
    /// </summary>
    private static Check Bounded(string dir, IReadOnlyList<CellRow> cells, double c, double b, double delta, double alpha)
    {
        var rawPath = Path.Combine(dir, SweepRunner.RawFile);
        if (!File.Exists(rawPath)) throw new SpecException($"the bounded check needs per-trial maxima: rerun the sweep with --raw ({rawPath} is missing)");
        var chosen = cells.Select((cell, i) => (cell, i)).Where(p => p.cell.Tau * Math.Sqrt(p.cell.Depth) <= c * (1 + 1e-12)).ToDictionary(p => p.i, p => p.cell);
        if (chosen.Count == 0) throw new SpecException($"no cell has τ ≤ {c}/√L");
        // The strict reader of raw.csv (file and line on bad data); a dead trial reads as NaN and counts for nothing.
        var maxima = RawTable.Read(rawPath, "fwd_max_log_sq", cells.Count, cells.Max(x => x.Trials));
        double limit = 2 * Math.Log(b);
        var counts = chosen.Keys.ToDictionary(k => k, k =>
        {
            var live = maxima[k].Where(v => !double.IsNaN(v)).ToList();
            return (Exceed: live.Count(v => v > limit), N: live.Count);
        });
        var per = counts.Select(kv => (Cell: chosen[kv.Key], kv.Value.Exceed, kv.Value.N,
            // p of H₀: rate ≥ δ is P(X ≤ k | n, δ); no live trial proves nothing.
            P: kv.Value.N == 0 ? 1.0 : Binomial.CDF(delta, kv.Value.N, kv.Value.Exceed),
            Upper: kv.Value.N == 0 ? 1.0 : BinomialInterval.ClopperPearson(kv.Value.Exceed, kv.Value.N, 2 * alpha).Hi,
            Lower: kv.Value.N == 0 ? 0.0 : BinomialInterval.ClopperPearson(kv.Value.Exceed, kv.Value.N, 2 * alpha / counts.Count).Lo)).ToList();
        var weakest = per.MaxBy(x => x.P);
        var worst = per.MaxBy(x => x.Lower);
        bool contradicted = worst.Lower > delta;
        string claim = F($"bounded forward norm for τ ≤ {c}/√L");
        string prediction = F($"P(max_l ‖h_l‖/‖h_0‖ > {b}) ≤ δ = {delta} in every cell");
        string measured = F($"{per.Count} cells; weakest: {weakest.Exceed}/{weakest.N} exceed, one-sided {100 * (1 - alpha):G3}% upper bound {weakest.Upper:G4} at L={weakest.Cell.Depth}, τ={weakest.Cell.Tau:G4}; ") +
            F($"largest: {worst.Exceed}/{worst.N} exceed, lower bound at level {alpha}/{per.Count} {worst.Lower:G4} at L={worst.Cell.Depth}, τ={worst.Cell.Tau:G4}");
        string test = F($"PASS when every cell's one-sided Clopper–Pearson upper bound at level {alpha} lies below δ (exact binomial test of rate ≥ δ, intersection–union: p = the largest); ") +
            F($"FAIL when some cell's lower bound at level {alpha}/{per.Count} (Bonferroni) lies above δ");
        return new Check(claim, prediction, measured, test, weakest.P, adj =>
            contradicted ? (VerdictOutcome.Fail, null)
            : adj <= alpha ? (VerdictOutcome.Pass, null)
            : (VerdictOutcome.Inconclusive, F($"too few live trials to show the rate below δ: {weakest.Exceed}/{weakest.N} exceed at L={weakest.Cell.Depth}, τ={weakest.Cell.Tau:G4}, upper bound {weakest.Upper:G4} > {delta}")));
    }

    private static IReadOnlyList<Check> Converse(IReadOnlyList<CellRow> cells, int minDepth, double alpha)
    {
        var fams = cells.Where(c => SweepAnalysis.ConverseExcess(c.Rule) is not null).GroupBy(c => (c.Block, c.Width, c.Rule)).ToList();
        if (fams.Count == 0) throw new SpecException("no τ = L^(-1/2+c) cells (a τ family with a parameter named c) to check");
        return fams.Select(f =>
        {
            double cval = SweepAnalysis.ConverseExcess(f.Key.Rule)!.Value;
            var fit = GrowthFit.Slope(f.Select(r => new GrowthPoint(r.Depth, r.FwdLogMeanSq, r.FwdLogMeanSqLo, r.FwdLogMeanSqHi)).ToList(), minDepth);
            return GrowthChecks.Converse(F($"{f.Key.Rule} ({f.Key.Block.Name()}, m={f.Key.Width}) unbounded"),
                F($"slope of log(log E ratio) vs log L → 2c = {2 * cval:G3}"), fit, cval, 0.1, minDepth, alpha);
        }).ToList();
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
