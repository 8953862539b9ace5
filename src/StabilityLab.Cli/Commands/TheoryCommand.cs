using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using StabilityLab.Cli.Options;
using StabilityLab.Models;
using StabilityLab.Tables;
using StabilityLab.Theory;

namespace StabilityLab.Cli.Commands;

/// <summary>
/// `stabilitylab theory`: the finite-width prediction of one cell (post/ReLU, res1/ReLU, res3 with ReLU or tanh, any
/// block with the identity; docs/finite-width.md) under the cells.csv names, beside the infinite-width values (suffix _inf), the
/// validated regime and, for post/ReLU, the threshold τ*(L; m, K). A statistic the theory does not predict for the
/// block (NaN) is printed as "not predicted" and written as null in JSON. Deterministic: no random numbers are drawn.
/// </summary>
public static class TheoryCommand
{
    /// <summary>Depths up to which τ* is computed by default (4–6 density evolutions: ~0.06 s at L = 1024, ~0.4 s at 4096).</summary>
    public const int TauStarDefaultMaxDepth = 4096;

    /// <summary>The statistics, named like cells.csv; the infinite-width values carry <see cref="InfiniteSuffix"/>.</summary>
    public static IReadOnlyList<string> StatisticNames { get; } =
    [
        "fwd_log_sq_mean", "fwd_log_sq_sd", "fwd_log_sq_q05", "fwd_log_sq_q50", "fwd_log_sq_q95", "fwd_log_mean_sq",
        "bwd_log_sq_mean", "bwd_log_sq_sd", "blowup_frac",
    ];

    public const string InfiniteSuffix = "_inf";

    /// <summary>The cell's keys (cells.csv names) that head the output.</summary>
    public static IReadOnlyList<string> CellNames { get; } = ["block", "activation", "width", "depth", "tau", "tau_rule", "output_dim", "blowup_level"];

    /// <summary>Every key of `--json` when τ* is computed, in order (without it, "tau_star" is absent).</summary>
    public static IReadOnlyList<string> JsonNames { get; } =
        [.. CellNames, .. StatisticNames, .. StatisticNames.Select(n => n + InfiniteSuffix), "regime", "tau_star"];

    public static Command Build(CliIo io)
    {
        var net = new NetworkOptions(width: 256, depth: 1024);
        var blowup = SamplingOptions.BlowupLevel("K: blowup_frac is P(‖h_L‖/‖h_0‖ > K), τ* is where the median of ‖h_L‖²/‖h_0‖² is K²");
        var tauStar = new Option<string>("--tau-star")
        {
            Description = $"compute τ*(L; m, K): auto (for L ≤ {TauStarDefaultMaxDepth}), yes, no",
            DefaultValueFactory = _ => "auto",
        }.Check(v => v.Trim().ToLowerInvariant() is "auto" or "yes" or "no" ? null : $"must be auto, yes or no (got '{v}')");
        var json = OutputOptions.Json("print one JSON object: the cells.csv names, the same with suffix _inf, regime, tau_star");
        var cmd = new Command("theory", "Print the finite-width prediction of one cell (post/res1/res3 with ReLU, res3 with tanh, or the identity) beside the infinite-width values.");
        net.AddTo(cmd);
        foreach (var o in new Option[] { blowup, tauStar, json }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var spec = net.Read(r);
            double k = r.GetValue(blowup);
            var p = FiniteWidthTheory.Predict(spec);
            var when = r.GetValue(tauStar)!.Trim().ToLowerInvariant();
            // τ*(L; m, K) is the post/ReLU threshold (docs/finite-width.md §7): not computed for other blocks.
            bool postRelu = spec.Block == BlockKind.Post && spec.Activation == Activation.Relu;
            double? ts = postRelu && (when == "yes" || (when == "auto" && spec.Depth <= TauStarDefaultMaxDepth))
                ? ThresholdPrediction.TauStar(spec.Depth, spec.Width, k) : null;
            if (!postRelu) when = "block";
            var values = Values(p, k);
            if (r.GetValue(json)) io.Out.WriteLine(Json(spec, k, values, p.Regime, ts));
            else Print(spec, k, values, p.Regime, ts, when, io);
            return CliApp.ExitOk;
        });
        return cmd;
    }

    /// <summary>(finite width, infinite width) per statistic, in <see cref="StatisticNames"/> order.</summary>
    public static IReadOnlyList<(string Name, double Finite, double Infinite)> Values(FiniteWidthPrediction p, double k)
    {
        // At infinite width the log ratios are deterministic (docs/science.md §3): sd 0, every quantile the mean,
        // log E = E log, and the blow-up fraction a step at 2 log K.
        double f = p.FwdLogSqInfinite, b = p.BwdLogSqInfinite;
        double[] finite = [p.FwdLogSqMean, p.FwdLogSqSd, p.FwdLogSqQ05, p.FwdLogSqQ50, p.FwdLogSqQ95, p.FwdLogMeanSq, p.BwdLogSqMean, p.BwdLogSqSd, p.BlowupFrac(k)];
        double[] infinite = [f, 0, f, f, f, f, b, double.IsNaN(b) ? double.NaN : 0, f > 2 * Math.Log(k) ? 1 : 0];
        return StatisticNames.Select((n, i) => (n, finite[i], infinite[i])).ToArray();
    }

    private static string RegimeText(FiniteWidthRegime r) => r.Inside ? "inside" : "outside: " + r.Reason;

    private static string Json(NetworkSpec spec, double k, IReadOnlyList<(string Name, double Finite, double Infinite)> values, FiniteWidthRegime regime, double? tauStar)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("block", spec.Block.Name());
            w.WriteString("activation", spec.Activation.Name());
            w.WriteNumber("width", spec.Width);
            w.WriteNumber("depth", spec.Depth);
            w.WriteNumber("tau", spec.Tau.Evaluate(spec.Depth, 1));
            w.WriteString("tau_rule", spec.Tau.ToString());
            w.WriteNumber("output_dim", spec.OutputDim);
            w.WriteNumber("blowup_level", k);
            // Not predicted (NaN) is null: JSON has no NaN.
            foreach (var v in values) WriteNumberOrNull(w, v.Name, v.Finite);
            foreach (var v in values) WriteNumberOrNull(w, v.Name + InfiniteSuffix, v.Infinite);
            w.WriteString("regime", RegimeText(regime));
            if (tauStar is { } t) w.WriteNumber("tau_star", t);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static string Cell(double v, CultureInfo inv) => double.IsNaN(v) ? "not predicted" : v.ToString("G6", inv);

    private static void Print(NetworkSpec spec, double k, IReadOnlyList<(string Name, double Finite, double Infinite)> values, FiniteWidthRegime regime,
        double? tauStar, string when, CliIo io)
    {
        var inv = CultureInfo.InvariantCulture;
        io.Out.WriteLine(string.Create(inv, $"{spec.Block.Name()}/{spec.Activation.Name()}, m = {spec.Width}, L = {spec.Depth}, τ = {spec.Tau} ({spec.Tau.Evaluate(spec.Depth, 1):G6}), d = {spec.OutputDim}, K = {k:G6}"));
        int w = values.Max(v => v.Name.Length);
        io.Out.WriteLine("statistic".PadRight(w) + "  " + "finite width".PadLeft(14) + "  " + "infinite width".PadLeft(14));
        foreach (var (name, fin, inf) in values)
            io.Out.WriteLine(name.PadRight(w) + "  " + Cell(fin, inv).PadLeft(14) + "  " + Cell(inf, inv).PadLeft(14));
        io.Out.WriteLine("regime".PadRight(w) + "  " + RegimeText(regime));
        io.Out.WriteLine("tau_star".PadRight(w) + "  " + (tauStar is { } t
            ? string.Create(inv, $"{t:G6} (τ·√L = {t * Math.Sqrt(spec.Depth):G6}; L → ∞: {ThresholdPrediction.LargeDepthLimit(spec.Width, k):G6}/√L)")
            : when == "no" ? "not computed (--tau-star no)"
            : when == "block" ? "not computed (the threshold theory covers post/ReLU)"
            : string.Create(inv, $"not computed at L > {TauStarDefaultMaxDepth} (seconds); pass --tau-star yes")));
    }
}
