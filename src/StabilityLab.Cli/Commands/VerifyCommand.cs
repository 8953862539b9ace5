using System.CommandLine;
using System.Globalization;
using StabilityLab.Fitting;
using StabilityLab.Statistics;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Sweeps;
using StabilityLab.Theory;
using StabilityLab.Tables;

namespace StabilityLab.Cli.Commands;

/// <summary>
/// `stabilitylab verify DIR --bound NAME`: a named bound against a sweep, with a stated test.
/// Exit 0 when the data are consistent with the bound, 1 when they contradict it, 2 on bad input.
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
        var alpha = new Option<double>("--alpha") { Description = "overall test level (Bonferroni over cells)", DefaultValueFactory = _ => 0.05 }
            .Check(a => a is > 0 and < 1 ? null : $"must lie in (0, 1) (got {a})");
        var cmd = new Command("verify", "Check a named bound against a sweep with a statistical test; exit 0 consistent, 1 contradicted, 2 bad input.")
            { dir, bound, constant, level, delta, minDepth, alpha };
        cmd.SetAction(r =>
        {
            var d = r.GetValue(dir)!;
            double a = r.GetValue(alpha);
            var cellsPath = Path.Combine(d, SweepRunner.CellsFile);
            if (!File.Exists(cellsPath)) throw new SpecException($"{d} has no {SweepRunner.CellsFile}: not a sweep directory");
            var cells = CellsTable.Read(cellsPath);
            var (ok, text) = r.GetValue(bound)!.Trim().ToLowerInvariant() switch
            {
                "first-moment" => FirstMoment(cells, a),
                "bounded" => Bounded(d, cells, r.GetValue(constant), r.GetValue(level), r.GetValue(delta), a),
                "converse" => Converse(cells, r.GetValue(minDepth)),
                var other => throw new SpecException($"unknown bound '{other}' (expected first-moment, bounded or converse)"),
            };
            io.Out.WriteLine(text);
            io.Out.WriteLine(ok ? "CONSISTENT" : "CONTRADICTED");
            return ok ? CliApp.ExitOk : CliApp.ExitContradiction;
        });
        return cmd;
    }

    private static (bool, string) FirstMoment(IReadOnlyList<CellRow> cells, double alpha)
    {
        var rows = cells.Where(SweepAnalysis.IsPostRelu).ToList();
        if (rows.Count == 0) throw new SpecException("no post-block ReLU cells with a known τ rule to check");
        var bc = rows.Select(c => new BoundCell(c.Depth, c.Tau, c.Width, c.FwdLogMeanSq, (c.FwdLogMeanSqHi - c.FwdLogMeanSqLo) / 3.92)).ToList();
        // Two rules can give the same cell (1/sqrt(L) and L^-beta at β = 1/2 share their draws): look bounds up by position.
        var bounds = rows.Select(c => FirstMomentBounds.PostRelu(c.Rule.Schedule(c.Depth))).ToArray();
        var position = new Dictionary<BoundCell, int>(ReferenceEqualityComparer.Instance as IEqualityComparer<BoundCell> ?? EqualityComparer<BoundCell>.Default);
        for (int i = 0; i < bc.Count; i++) position[bc[i]] = i;
        var v = BoundCheck.LogMeanRatio(bc, c => (bounds[position[c]].LogLower, bounds[position[c]].LogUpper), alpha);
        return (v.Consistent, F($"first-moment bounds L·log(1+τ²) ≤ log E ratio ≤ L·log(1+2τ²): {v.Cells - v.Contradicting}/{v.Cells} cells consistent; ") +
            F($"test: a cell contradicts when it lies beyond a bound by more than {v.CriticalZ:F2} SE (one-sided, level {alpha}/{v.Cells}); ") +
            F($"largest excursion {v.WorstZ:F2} SE at L={v.Worst?.Depth}, τ={v.Worst?.Tau:G4}"));
    }

    private static (bool, string) Bounded(string dir, IReadOnlyList<CellRow> cells, double c, double b, double delta, double alpha)
    {
        var rawPath = Path.Combine(dir, SweepRunner.RawFile);
        if (!File.Exists(rawPath)) throw new SpecException($"the bounded check needs per-trial maxima: rerun the sweep with --raw ({rawPath} is missing)");
        var raw = CsvTable.Read(rawPath);
        int ci = raw.Column("cell"), mi = raw.Column("fwd_max_log_sq");
        var chosen = cells.Select((cell, i) => (cell, i)).Where(p => p.cell.Tau * Math.Sqrt(p.cell.Depth) <= c * (1 + 1e-12)).ToDictionary(p => p.i, p => p.cell);
        if (chosen.Count == 0) throw new SpecException($"no cell has τ ≤ {c}/√L");
        var counts = chosen.Keys.ToDictionary(k => k, _ => (Exceed: 0, N: 0));
        double limit = 2 * Math.Log(b);
        for (int r = 0; r < raw.Rows.Count; r++)
        {
            int cell = raw.Integer(raw.Rows[r], ci, r);
            if (!counts.TryGetValue(cell, out var k)) continue;
            double v = CsvTable.Number(raw.Rows[r][mi]);
            if (double.IsNaN(v)) continue; // dead trial
            counts[cell] = (k.Exceed + (v > limit ? 1 : 0), k.N + 1);
        }
        double level = alpha / counts.Count;
        var worst = counts.Select(kv => (kv.Key, kv.Value, CP: BinomialInterval.ClopperPearson(kv.Value.Exceed, kv.Value.N, 2 * level)))
            .MaxBy(x => x.CP.Lo);
        bool ok = worst.CP.Lo <= delta;
        var wc = chosen[worst.Key];
        return (ok, F($"bounded forward norm for τ ≤ {c}/√L: claim P(max_l ‖h_l‖/‖h_0‖ > {b}) ≤ δ = {delta} in every cell; {counts.Count} cells checked; ") +
            F($"test: one-sided Clopper–Pearson lower bound of the exceedance rate at level {alpha}/{counts.Count} must not exceed δ; ") +
            F($"largest: {worst.Value.Exceed}/{worst.Value.N} exceed, lower bound {worst.CP.Lo:G4} at L={wc.Depth}, τ={wc.Tau:G4}"));
    }

    private static (bool, string) Converse(IReadOnlyList<CellRow> cells, int minDepth)
    {
        var fams = cells.Where(c => SweepAnalysis.ConverseExcess(c.Rule) is not null).GroupBy(c => (c.Block, c.Width, c.Rule)).ToList();
        if (fams.Count == 0) throw new SpecException("no τ = L^(-1/2+c) cells (a τ family with a parameter named c) to check");
        var lines = new List<string>();
        bool ok = true;
        foreach (var f in fams)
        {
            double cval = SweepAnalysis.ConverseExcess(f.Key.Rule)!.Value;
            var fit = GrowthFit.Slope(f.Select(r => new GrowthPoint(r.Depth, r.FwdLogMeanSq, r.FwdLogMeanSqLo, r.FwdLogMeanSqHi)).ToList(), minDepth);
            if (fit is null) throw new SpecException($"{f.Key.Rule}: fewer than 3 depths ≥ {minDepth} to fit");
            bool pass = fit.SlopeHi >= 2 * cval - 0.1;
            ok &= pass;
            lines.Add(F($"{f.Key.Rule} ({f.Key.Block.Name()}, m={f.Key.Width}): slope of log(log E ratio) vs log L = {fit.Slope:F3} [{fit.SlopeLo:F3}, {fit.SlopeHi:F3}], predicted → {2 * cval:G3}: {(pass ? "consistent" : "contradicts")}"));
        }
        lines.Add("test: the bound is contradicted when the 95% upper end of the fitted slope lies below 2c − 0.1");
        return (ok, string.Join("\n", lines));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
