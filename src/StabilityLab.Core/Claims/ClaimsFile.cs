using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Sweeps;

namespace StabilityLab.Claims;

/// <summary>
/// A claims file (docs/claims.md): a title, a master seed and the claims. Read strictly: an unknown key, kind,
/// quantity or statistic, a malformed value or a missing required field is a <see cref="SpecException"/> naming the
/// claim and the key, never ignored.
/// </summary>
public sealed record ClaimsFile(int Schema, string Title, ulong Seed, IReadOnlyList<Claim> Claims)
{
    public const int CurrentSchema = 1;

    private static readonly string[] TopKeys = ["schema", "title", "description", "seed", "claims"];
    private static readonly string[] ClaimKeys = ["id", "statement", "source", "kind", "value", "network", "tau", "param", "depths", "trials",
        "quantity", "statistic", "alpha", "margin", "tolerance", "bound", "below", "controls",
        "samples", "input_dim", "steps", "seeds", "lr", "lr_fraction", "optimizer", "dataset", "trainable", "loss_fraction", "predict_width",
        "data_dir", "test_samples", "reference", "paper_result"];
    private static readonly string[] TrainingKeys = ["samples", "input_dim", "steps", "seeds", "lr", "lr_fraction", "optimizer", "dataset", "trainable", "loss_fraction", "data_dir", "test_samples"];
    private static readonly string[] ReferenceKeys = ["block", "tau"];
    private static readonly string[] NetworkKeys = ["block", "activation", "width", "weights"];

    /// <summary>Default equivalence margin of bounded/unbounded: nats per e-fold of L (docs/claims.md).</summary>
    public const double DefaultMargin = 0.1;

    /// <summary>Default margin of rate-independent-of-depth: the rate may change by this fraction of its shallowest value
    /// over the claim's depths (docs/claims.md §8).</summary>
    public const double DefaultRateMargin = 0.5;

    /// <summary>Default tolerance of the exponent kinds (docs/claims.md).</summary>
    public const double DefaultTolerance = 0.05;

    public static ClaimsFile Load(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"claims file not found: {path}");
        return Parse(File.ReadAllText(path), path);
    }

    public static ClaimsFile Parse(string json, string source)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e) { throw new SpecException($"malformed claims file {source}: {e.Message.Split('\n')[0]}"); }
        if (root is not JsonObject top) throw new SpecException($"claims file {source} does not hold a JSON object");
        Known(top, TopKeys, source);
        int schema = (int?)Int(top, "schema", source) ?? throw new SpecException($"{source}: missing \"schema\" (this version reads schema {CurrentSchema})");
        if (schema != CurrentSchema) throw new SpecException($"{source}: schema {schema} is not supported (this version reads schema {CurrentSchema})");
        string title = Str(top, "title", source) ?? Path.GetFileNameWithoutExtension(source);
        long seed = Int(top, "seed", source) ?? 1;
        if (seed < 0) throw new SpecException($"{source}: seed must be ≥ 0 (got {seed})");
        if (top["claims"] is not JsonArray arr || arr.Count == 0) throw new SpecException($"{source}: \"claims\" must be a non-empty array");
        var claims = new List<Claim>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < arr.Count; i++)
        {
            if (arr[i] is not JsonObject o) throw new SpecException($"{source}: claims[{i}] is not an object");
            var c = ParseClaim(o, $"{source}: claim {(o["id"] is JsonValue v && v.TryGetValue<string>(out var s) ? $"'{s}'" : $"#{i + 1}")}", withControls: true);
            if (!ids.Add(c.Id)) throw new SpecException($"{source}: two claims have the id '{c.Id}'");
            claims.Add(c);
        }
        return new ClaimsFile(schema, title, (ulong)seed, claims);
    }

    private static Claim ParseClaim(JsonObject o, string where, bool withControls)
    {
        Known(o, ClaimKeys, where);
        string id = Str(o, "id", where) ?? throw Missing(where, "id");
        if (id.Length == 0 || id.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' or '/')))
            throw new SpecException($"{where}: id '{id}' may hold only letters, digits, '-', '_', '.' and '/'");
        var kind = ClaimKinds.Parse(Str(o, "kind", where) ?? throw Missing(where, "kind"), where);
        var network = ParseNetwork(o["network"], where);
        string tau = Str(o, "tau", where) ?? throw Missing(where, "tau");
        var param = ParseParam(o["param"], where);
        var entry = new TauGridEntry(tau, param.Count == 0 ? null : param);
        List<TauRule> rules;
        try { rules = entry.Expand().ToList(); }
        catch (SpecException e) { throw new SpecException($"{where}: {e.Message}"); }
        var depths = ParseDepths(o["depths"], where);
        bool training = kind.IsTraining();
        int trials;
        if (training)
        {
            if (o.ContainsKey("trials")) throw new SpecException($"{where}: a training claim draws its networks by \"seeds\", not \"trials\"");
            trials = 0;
        }
        else
        {
            trials = (int)(Int(o, "trials", where) ?? throw Missing(where, "trials"));
            if (trials < 2) throw new SpecException($"{where}: trials must be ≥ 2 (got {trials})");
            foreach (var key in TrainingKeys)
                if (o.ContainsKey(key)) throw new SpecException($"{where}: \"{key}\" belongs to the training kinds (converges, rate-independent-of-depth, diverges, accuracy-comparison)");
        }
        bool comparison = kind == ClaimKind.AccuracyComparison;
        var quantity = ClaimNames.ParseQuantity(Str(o, "quantity", where)
            ?? (comparison ? "accuracy" : training ? "loss" : kind == ClaimKind.OperatorNormBounded ? "product" : "forward"), where);
        bool quantityFits = comparison ? quantity == Quantity.Accuracy
            : training ? quantity == Quantity.Loss
            : kind == ClaimKind.OperatorNormBounded ? quantity is Quantity.Product or Quantity.ProductMax
            : kind == ClaimKind.MatchesTheory ? quantity is Quantity.Forward or Quantity.Backward
            : quantity is Quantity.Forward or Quantity.Backward or Quantity.ForwardMax;
        if (!quantityFits)
            throw new SpecException($"{where}: kind '{kind.Name()}' does not measure quantity '{quantity.Name()}' ({(comparison ? "it measures test accuracy" : training ? "training kinds measure loss" : kind == ClaimKind.OperatorNormBounded ? "use product or product-max" : kind == ClaimKind.MatchesTheory ? "the theory predicts forward and backward" : "use forward, backward or forward-max")})");
        long? predictWidth = Int(o, "predict_width", where);
        if (predictWidth is not null && kind != ClaimKind.MatchesTheory) throw new SpecException($"{where}: \"predict_width\" belongs to kind 'matches-theory'");
        if (predictWidth is < 1 or > 1 << 24) throw new SpecException($"{where}: predict_width must be a width ≥ 1 (got {predictWidth})");
        if ((!kind.OnSweep() || kind == ClaimKind.MatchesTheory) && o.ContainsKey("statistic"))
            throw new SpecException($"{where}: kind '{kind.Name()}' does not read \"statistic\": it has its own test (docs/claims.md §3)");
        var statistic = Str(o, "statistic", where) is { } st ? ClaimNames.ParseStatistic(st, where)
            : quantity == Quantity.Forward ? Statistic.LogMean : Statistic.MeanLog;
        if (statistic == Statistic.LogMean && quantity != Quantity.Forward)
            throw new SpecException($"{where}: statistic log_mean is measured for the forward quantity only (use mean_log, median, q05 or q95)");
        double alpha = Num(o, "alpha", where) ?? 0.05;
        if (!(alpha > 0 && alpha < 0.5)) throw new SpecException($"{where}: alpha must lie in (0, 0.5) (got {alpha})");
        double? value = Num(o, "value", where);
        double margin = Num(o, "margin", where) ?? (kind == ClaimKind.RateIndependentOfDepth ? DefaultRateMargin : DefaultMargin);
        double tolerance = Num(o, "tolerance", where) ?? DefaultTolerance;
        if (!(margin > 0)) throw new SpecException($"{where}: margin must be > 0 (got {margin})");
        if (kind == ClaimKind.RateIndependentOfDepth && !(margin < 1))
            throw new SpecException($"{where}: margin of 'rate-independent-of-depth' is a fraction of the shallowest rate, in (0, 1) (got {margin})");
        if (!(tolerance > 0)) throw new SpecException($"{where}: tolerance must be > 0 (got {tolerance})");
        var bound = Str(o, "bound", where) is { } b ? BoundExpression.Parse(b, where) : null;
        var below = Str(o, "below", where) is { } bl ? BoundExpression.Parse(bl, where) : null;

        switch (kind)
        {
            case ClaimKind.GrowthExponent or ClaimKind.ThresholdExponent when value is null:
                throw new SpecException($"{where}: kind '{kind.Name()}' needs \"value\" (the exponent)");
            case ClaimKind.Below or ClaimKind.Above when bound is null:
                throw new SpecException($"{where}: kind '{kind.Name()}' needs \"bound\" (an expression in L, tau and m)");
            case ClaimKind.ThresholdExponent when param.Count != 1 || rules.Count < 3:
                throw new SpecException($"{where}: kind 'threshold-exponent' needs a τ family with one parameter and at least 3 values (e.g. \"tau\": \"L^-beta\", \"param\": {{\"beta\": \"0:1:17\"}})");
            case ClaimKind.ThresholdExponent when quantity != Quantity.Forward:
                throw new SpecException($"{where}: kind 'threshold-exponent' is defined on the forward ratio (the median crossing of docs/science.md §4)");
            case ClaimKind.Bounded or ClaimKind.Unbounded or ClaimKind.GrowthExponent or ClaimKind.ThresholdExponent
                or ClaimKind.RateIndependentOfDepth or ClaimKind.OperatorNormBounded when depths.Length < 3:
                throw new SpecException($"{where}: kind '{kind.Name()}' needs at least 3 depths (got {depths.Length})");
            case ClaimKind.Bounded or ClaimKind.Unbounded or ClaimKind.GrowthExponent or ClaimKind.OperatorNormBounded when rules.Count != 1:
                throw new SpecException($"{where}: kind '{kind.Name()}' is about one τ rule; a family ({rules.Count} rules) is for threshold-exponent, below and above");
            case var _ when training && rules.Count != 1:
                throw new SpecException($"{where}: kind '{kind.Name()}' is about one τ rule; a family ({rules.Count} rules) is for threshold-exponent, below and above");
        }
        if (below is not null && kind != ClaimKind.Bounded) throw new SpecException($"{where}: \"below\" belongs to kind 'bounded' (use kind 'below' with \"bound\")");
        if (value is not null && kind is not (ClaimKind.GrowthExponent or ClaimKind.ThresholdExponent))
            throw new SpecException($"{where}: \"value\" is used by growth-exponent and threshold-exponent only");
        if (bound is not null && kind is not (ClaimKind.Below or ClaimKind.Above))
            throw new SpecException($"{where}: \"bound\" is used by kinds below and above only");

        var trainingSettings = training ? ParseTraining(o, where) : null;
        if (trainingSettings is { LargestStable: true })
        {
            // The search starts from the claim's own step size: a control's, where there is a claim to start from.
            if (withControls)
                throw new SpecException($"{where}: \"lr\": \"{ClaimTraining.LargestStableName}\" is for a control (it halves the claim's own step size until the run is stable)");
            if (kind is not (ClaimKind.RateIndependentOfDepth or ClaimKind.Converges))
                throw new SpecException($"{where}: \"lr\": \"{ClaimTraining.LargestStableName}\" is for controls of rate-independent-of-depth and converges (kind '{kind.Name()}' needs a number)");
            if (trainingSettings.Optimizer != "gd")
                throw new SpecException($"{where}: \"lr\": \"{ClaimTraining.LargestStableName}\" needs full-batch gradient descent (optimizer 'gd', got '{trainingSettings.Optimizer}')");
        }
        if (kind == ClaimKind.Diverges && trainingSettings?.Lr is null)
            throw new SpecException($"{where}: kind 'diverges' needs \"lr\": the step-size rule picks a step that keeps the claim's own networks stable");
        ClaimReference? reference = null;
        string? paper = Str(o, "paper_result", where);
        if (comparison)
        {
            if (trainingSettings!.Lr is null)
                throw new SpecException($"{where}: kind 'accuracy-comparison' needs \"lr\": both networks train at the same step size (the NTK rule has no kernel for BatchNorm)");
            if (trainingSettings.Seeds < 2)
                throw new SpecException($"{where}: kind 'accuracy-comparison' needs \"seeds\" ≥ 2 (its interval is over seeds; 3 or more recommended)");
            if (!o.ContainsKey("margin"))
                throw new SpecException($"{where}: kind 'accuracy-comparison' needs \"margin\" (δ, the accuracy the claim may lose, as a fraction: 0.02 for 2 points)");
            if (!(margin < 1)) throw new SpecException($"{where}: an accuracy margin must lie in (0, 1) (got {margin})");
            reference = ParseReference(o["reference"], network, tau, where);
        }
        else
        {
            foreach (var key in new[] { "reference", "paper_result" })
                if (o.ContainsKey(key)) throw new SpecException($"{where}: \"{key}\" belongs to kind 'accuracy-comparison'");
        }

        var controls = new List<ClaimControl>();
        if (o["controls"] is { } cn)
        {
            if (!withControls) throw new SpecException($"{where}: a control cannot have controls");
            if (cn is not JsonArray ca) throw new SpecException($"{where}: \"controls\" must be an array of objects");
            for (int k = 0; k < ca.Count; k++)
            {
                if (ca[k] is not JsonObject ov || ov.Count == 0) throw new SpecException($"{where}: controls[{k}] must be a non-empty object of overrides");
                foreach (var key in new[] { "id", "controls", "kind", "statement", "source" })
                    if (ov.ContainsKey(key)) throw new SpecException($"{where}: controls[{k}] may not override \"{key}\"");
                var merged = (JsonObject)o.DeepClone();
                merged.Remove("controls");
                foreach (var (key, val) in ov)
                {
                    if (key == "network" && val is JsonObject nov && merged["network"] is JsonObject net)
                        foreach (var (nk, nv) in nov) net[nk] = nv?.DeepClone();
                    else merged[key] = val?.DeepClone();
                }
                merged["id"] = $"{id}/control-{k + 1}";
                controls.Add(new ClaimControl((JsonObject)ov.DeepClone(), ParseClaim(merged, $"{where}, control {k + 1}", withControls: false)));
            }
        }
        return new Claim(id, Str(o, "statement", where) ?? throw Missing(where, "statement"), Str(o, "source", where) ?? "",
            kind, network, tau, param, depths, trials, quantity, statistic, alpha, value, margin, tolerance, bound, below, controls)
        { Training = trainingSettings, PredictWidth = (int?)predictWidth, Reference = reference, PaperResult = paper };
    }

    /// <summary>The reference network of accuracy-comparison: {"block", "tau"}, both given, not the claim's own network.</summary>
    private static ClaimReference ParseReference(JsonNode? n, ClaimNetwork network, string tau, string where)
    {
        if (n is null) throw Missing(where, "reference");
        if (n is not JsonObject o || o.Count == 0) throw new SpecException($"{where}: \"reference\" must be an object with {string.Join(", ", ReferenceKeys)}");
        Known(o, ReferenceKeys, where + ", reference");
        try
        {
            // Both are required: a default taken from the claim would follow a control's override of the claim's own τ or block.
            var block = ModelNames.ParseBlock(Str(o, "block", where) ?? throw new SpecException("missing \"block\""));
            string rule = Str(o, "tau", where) ?? throw new SpecException("missing \"tau\"");
            var parsed = TauRule.Parse(rule);
            if (parsed.FreeParameters.Count > 0) throw new SpecException($"reference τ rule '{rule}' uses unknown name(s) {string.Join(", ", parsed.FreeParameters)}");
            if (block == network.Block && parsed.Equals(TauRule.Parse(tau))) throw new SpecException("the reference is the claim's own network");
            return new ClaimReference(block, rule);
        }
        catch (SpecException e) when (!e.Message.StartsWith(where, StringComparison.Ordinal)) { throw new SpecException($"{where}, reference: {e.Message}"); }
    }

    private static ClaimTraining ParseTraining(JsonObject o, string where)
    {
        int Positive(string key, int fallback)
        {
            long v = Int(o, key, where) ?? fallback;
            if (v < 1 || v > 1_000_000_000) throw new SpecException($"{where}: \"{key}\" must be a whole number ≥ 1 (got {v})");
            return (int)v;
        }
        // Without "lr" the training runner chooses one step size for the whole study by the NTK rule (docs/claims.md §8).
        bool largestStable = o["lr"] is JsonValue lv && lv.TryGetValue<string>(out var lrName)
            && (lrName == ClaimTraining.LargestStableName
                ? true
                : throw new SpecException($"{where}: \"lr\" must be a number > 0 or \"{ClaimTraining.LargestStableName}\" (got \"{lrName}\")"));
        double? lr = largestStable ? null : Num(o, "lr", where);
        if (lr is not null && !(lr > 0)) throw new SpecException($"{where}: lr must be > 0 (got {lr})");
        double lrFraction = Num(o, "lr_fraction", where) ?? ClaimTraining.DefaultLrFraction;
        if (!(lrFraction > 0 && lrFraction < 1)) throw new SpecException($"{where}: lr_fraction must lie in (0, 1) (got {lrFraction})");
        if (o.ContainsKey("lr_fraction") && lr is not null)
            throw new SpecException($"{where}: give either a number \"lr\" or \"lr_fraction\" (the NTK rule's c, used only without lr), not both");
        double fraction = Num(o, "loss_fraction", where) ?? ClaimTraining.DefaultLossFraction;
        if (!(fraction > 0 && fraction < 1)) throw new SpecException($"{where}: loss_fraction must lie in (0, 1) (got {fraction})");
        int? testSamples = o.ContainsKey("test_samples") ? Positive("test_samples", 1) : null;
        return new ClaimTraining(Positive("samples", ClaimTraining.DefaultSamples), Positive("input_dim", ClaimTraining.DefaultInputDim),
            Positive("steps", ClaimTraining.DefaultSteps), Positive("seeds", ClaimTraining.DefaultSeeds), lr,
            Str(o, "optimizer", where) ?? "gd", Str(o, "dataset", where) ?? "synthetic", Str(o, "trainable", where) ?? "w", fraction)
        { DataDir = Str(o, "data_dir", where), TestSamples = testSamples, LargestStable = largestStable, LrFraction = lrFraction };
    }

    private static ClaimNetwork ParseNetwork(JsonNode? n, string where)
    {
        if (n is null) throw Missing(where, "network");
        if (n is not JsonObject o) throw new SpecException($"{where}: \"network\" must be an object with {string.Join(", ", NetworkKeys)}");
        Known(o, NetworkKeys, where + ", network");
        try
        {
            int width = (int)(Int(o, "width", where + ", network") ?? throw Missing(where + ", network", "width"));
            if (width < 1) throw new SpecException($"{where}: network width must be ≥ 1 (got {width})");
            return new ClaimNetwork(ModelNames.ParseBlock(Str(o, "block", where) ?? "post"), ModelNames.ParseActivation(Str(o, "activation", where) ?? "relu"),
                width, ModelNames.ParseWeightLaw(Str(o, "weights", where) ?? "gaussian"));
        }
        catch (SpecException e) when (!e.Message.StartsWith(where, StringComparison.Ordinal)) { throw new SpecException($"{where}: {e.Message}"); }
    }

    private static Dictionary<string, double[]> ParseParam(JsonNode? n, string where)
    {
        var d = new Dictionary<string, double[]>(StringComparer.Ordinal);
        if (n is null) return d;
        if (n is not JsonObject o) throw new SpecException($"{where}: \"param\" must be an object, e.g. {{\"beta\": \"0:1:17\"}}");
        foreach (var (name, v) in o)
        {
            try
            {
                d[name] = v switch
                {
                    JsonValue s when s.TryGetValue<string>(out var text) => GridValues.ParseNumbers(text, name),
                    JsonArray a => a.Select(x => x is JsonValue xv && xv.TryGetValue<double>(out var num) && double.IsFinite(num) ? num
                        : throw new SpecException($"values of {name} must be finite numbers")).ToArray(),
                    _ => throw new SpecException($"give {name} as a grid string (\"0:1:17\") or a list of numbers"),
                };
            }
            catch (SpecException e) { throw new SpecException($"{where}: param {name}: {e.Message}"); }
        }
        return d;
    }

    private static int[] ParseDepths(JsonNode? n, string where)
    {
        try
        {
            int[] depths = n switch
            {
                null => throw Missing(where, "depths"),
                JsonValue s when s.TryGetValue<string>(out var text) => GridValues.ParseIntegers(text, "depth"),
                JsonArray a => a.Select(x => x is JsonValue xv && xv.TryGetValue<int>(out var v) ? v
                    : throw new SpecException($"depths must be whole numbers (got {x?.ToJsonString()})")).ToArray(),
                _ => throw new SpecException("give depths as a grid string (\"16..4096x4\") or a list of numbers"),
            };
            if (depths.Any(d => d < 1)) throw new SpecException($"depths must be ≥ 1 (got {depths.Min()})");
            return depths.Distinct().Order().ToArray();
        }
        catch (SpecException e) when (!e.Message.StartsWith(where, StringComparison.Ordinal)) { throw new SpecException($"{where}: {e.Message}"); }
    }

    private static void Known(JsonObject o, string[] keys, string where)
    {
        foreach (var (k, _) in o)
            if (!keys.Contains(k)) throw new SpecException($"{where}: unknown key \"{k}\" (keys: {string.Join(", ", keys)})");
    }

    private static SpecException Missing(string where, string key) => new($"{where}: missing \"{key}\"");

    private static string? Str(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var x => throw new SpecException($"{where}: \"{key}\" must be a string (got {x.ToJsonString()})"),
    };

    private static double? Num(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) && double.IsFinite(d) => d,
        var x => throw new SpecException($"{where}: \"{key}\" must be a finite number (got {x.ToJsonString()})"),
    };

    private static long? Int(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<long>(out var d) => d,
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e15 => (long)d,
        var x => throw new SpecException($"{where}: \"{key}\" must be a whole number (got {x.ToJsonString()})"),
    };
}
