using System.Text.Json;
using System.Text.Json.Serialization;
using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;
using StabilityLab.Statistics;

namespace StabilityLab.Sweeps;

/// <summary>
/// A sweep: blocks × widths × depths × τ values, each cell sampled with many random networks.
/// Serialized (snake_case JSON) into manifest.json, so a manifest reproduces its run.
/// </summary>
public sealed record SweepSpec
{
    public IReadOnlyList<string> Blocks { get; init; } = ["post"];
    public string Activation { get; init; } = "relu";
    public string Weights { get; init; } = "gaussian";
    public IReadOnlyList<int> Widths { get; init; } = [512];
    public IReadOnlyList<int> Depths { get; init; } = [4, 16, 64, 256];
    public IReadOnlyList<TauGridEntry> Taus { get; init; } = [new("1/sqrt(L)")];
    public int Trials { get; init; } = 1000;
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// The random generator (philox-zig, philox or threefry, <see cref="RandomGenerators"/>). New specs default to philox-zig
    /// (specs that name philox, the default before it, keep it); a manifest written before this key existed holds threefry
    /// sweeps (<see cref="WithLegacyGenerator"/>).
    /// </summary>
    public string Generator { get; init; } = RandomGenerators.Default.Name();
    public int InputDim { get; init; } = 10;
    public int OutputDim { get; init; } = 1;
    public double BlowupLevel { get; init; } = CellStatistics.DefaultBlowupLevel;
    public int Bootstrap { get; init; } = CellStatistics.DefaultBootstrap;

    /// <summary>Depths whose cells also get per-layer traces (traces.csv).</summary>
    public IReadOnlyList<int> TraceDepths { get; init; } = [];

    /// <summary>Also write every trial's scalars (raw.csv).</summary>
    public bool Raw { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The keys a spec file may hold: those <see cref="ToJson"/> writes.</summary>
    public static IReadOnlySet<string> Keys { get; } = JsonDocument.Parse(new SweepSpec().ToJson()).RootElement
        .EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Reads a spec file, or the "spec" member of a sweep's manifest.json. A key that is not a spec key (a typo would
    /// otherwise silently keep the default) and a spec that sets nothing throw <see cref="SpecException"/>.
    /// </summary>
    public static SweepSpec FromJsonFile(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"spec file not found: {path}");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            bool manifest = false;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("spec", out var inner)) { root = inner; manifest = true; }
            if (root.ValueKind != JsonValueKind.Object) throw new SpecException($"spec file {path} does not hold a JSON object");
            var unknown = root.EnumerateObject().Select(p => p.Name).Where(k => !Keys.Contains(k)).ToList();
            if (unknown.Count > 0)
                throw new SpecException($"spec file {path}: {string.Join("; ", unknown.Select(k => $"unknown key '{k}'"))} (keys: {string.Join(", ", Keys)})");
            if (!root.EnumerateObject().Any())
                throw new SpecException($"spec file {path}: spec has no keys (give at least one of {string.Join(", ", Keys)})");
            var spec = root.Deserialize<SweepSpec>(Json) ?? throw new SpecException($"spec file {path} is empty");
            if (manifest) spec = spec.WithLegacyGenerator(root);
            spec.Validate();
            return spec;
        }
        catch (JsonException e)
        {
            throw new SpecException($"malformed spec file {path}: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>
    /// A spec read from a manifest: one that names no generator was written by Threefry (before Philox), so it
    /// resumes and reproduces with Threefry, never with the default of new runs.
    /// </summary>
    public SweepSpec WithLegacyGenerator(JsonElement specJson) =>
        specJson.TryGetProperty("generator", out _) ? this : this with { Generator = RandomGenerators.Legacy.Name() };

    /// <summary>The generator as a value (validated).</summary>
    public RandomGenerator ParsedGenerator() => RandomGenerators.Parse(Generator ?? "");

    /// <summary>Every cell of the grid in its fixed order: block, width, depth, then τ.</summary>
    public IReadOnlyList<SweepCell> Cells()
    {
        Validate();
        if (Depths.Count > MaxDepths) throw new SpecException($"{Depths.Count} depths in one sweep; at most {MaxDepths}");
        if (!Sampling.ExactSampler.Fits(Widths.Max(), Depths.Max()))
            throw new SpecException("width × depth is too large for one trial's memory");
        var taus = Taus.SelectMany(t => t.Expand()).ToList();
        var act = ModelNames.ParseActivation(Activation);
        var law = ModelNames.ParseWeightLaw(Weights);
        var cells = new List<SweepCell>();
        int group = 0;
        foreach (var b in Blocks.Select(ModelNames.ParseBlock))
            foreach (var m in Widths)
                foreach (var L in Depths)
                {
                    foreach (var tau in taus)
                        cells.Add(new SweepCell(cells.Count, group, new NetworkSpec(m, L, tau, b, act, law, InputDim, OutputDim)));
                    group++;
                }
        return cells;
    }

    /// <summary>Throws <see cref="SpecException"/> naming the first problem.</summary>
    public void Validate()
    {
        if (Blocks is null || Blocks.Count == 0) throw new SpecException("empty grid: no blocks");
        if (Widths is null || Widths.Count == 0) throw new SpecException("empty grid: no widths");
        if (Depths is null || Depths.Count == 0) throw new SpecException("empty grid: no depths");
        if (Taus is null || Taus.Count == 0) throw new SpecException("empty grid: no τ values");
        foreach (var b in Blocks) ModelNames.ParseBlock(b).RequireSampled();
        ModelNames.ParseActivation(Activation);
        var law = ModelNames.ParseWeightLaw(Weights);
        if (law != WeightLaw.Gaussian) throw new SpecException("sweeps use the exact sampler, which needs Gaussian weights");
        foreach (var m in Widths) if (m < 1) throw new SpecException($"width must be at least 1 (got {m})");
        foreach (var L in Depths) if (L < 1 || L > NetworkSpec.MaxDepth) throw new SpecException($"depth must be between 1 and {NetworkSpec.MaxDepth} (got {L})");
        if (Widths.Distinct().Count() != Widths.Count) throw new SpecException("widths repeat a value");
        if (Depths.Distinct().Count() != Depths.Count) throw new SpecException("depths repeat a value");
        if (Trials < 1) throw new SpecException($"trials must be at least 1 (got {Trials})");
        ParsedGenerator();
        if (InputDim < 1) throw new SpecException($"input dimension must be at least 1 (got {InputDim})");
        if (OutputDim < 1) throw new SpecException($"output dimension must be at least 1 (got {OutputDim})");
        if (!(BlowupLevel > 1) || !double.IsFinite(BlowupLevel)) throw new SpecException($"blow-up level must be a finite number above 1 (got {BlowupLevel})");
        if (Bootstrap < 0) throw new SpecException($"bootstrap resamples must be 0 or more (got {Bootstrap})");
        var taus = Taus.SelectMany(t => t.Expand()).ToList();
        if (taus.Select(t => t.ToString()).Distinct().Count() != taus.Count) throw new SpecException("τ values repeat");
        // Every τ must be positive and finite at every depth of the grid.
        foreach (var t in taus)
            foreach (var L in Depths)
                t.Check(L);
        foreach (var L in TraceDepths ?? [])
            if (!Depths.Contains(L)) throw new SpecException($"trace depth {L} is not one of the sweep's depths");
    }

    /// <summary>The most depths one sweep takes (each is a cell group of its own; validation builds every τ schedule).</summary>
    public const int MaxDepths = 10_000;
}

/// <summary>A cell of a sweep: its index in the grid, its common-random-numbers group and its spec.</summary>
public sealed record SweepCell(int Index, int Group, NetworkSpec Spec);
