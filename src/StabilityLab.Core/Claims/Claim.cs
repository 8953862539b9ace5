using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Sweeps;

namespace StabilityLab.Claims;

/// <summary>The network a claim is about (docs/claims.md, "network").</summary>
public sealed record ClaimNetwork(BlockKind Block, Activation Activation, int Width, WeightLaw Weights);

/// <summary>
/// One claim of a claims file (docs/claims.md): what it states, which cells it needs (network, τ rule or family,
/// depths, trials) and how it is tested (kind, quantity, statistic, value, margin or tolerance, bound). Its
/// <see cref="Controls"/> are the same claim with some fields overridden, under which the same test must FAIL.
/// <see cref="Trials"/> is the number of random networks per cell (0 for training claims, whose draws are
/// <see cref="ClaimTraining.Seeds"/>).
/// </summary>
public sealed record Claim(
    string Id,
    string Statement,
    string Source,
    ClaimKind Kind,
    ClaimNetwork Network,
    string Tau,
    IReadOnlyDictionary<string, double[]> Param,
    IReadOnlyList<int> Depths,
    int Trials,
    Quantity Quantity,
    Statistic Statistic,
    double Alpha,
    double? Value,
    double Margin,
    double Tolerance,
    BoundExpression? Bound,
    BoundExpression? Below,
    IReadOnlyList<ClaimControl> Controls)
{
    /// <summary>matches-theory: the width at which the theory predicts (null: the network's width).</summary>
    public int? PredictWidth { get; init; }

    /// <summary>accuracy-comparison: the network the claim's is compared with (null for the other kinds).</summary>
    public ClaimReference? Reference { get; init; }

    /// <summary>accuracy-comparison: what the paper reports, quoted beside the measurement (not re-measured).</summary>
    public string? PaperResult { get; init; }

    /// <summary>How a training claim trains (null for the other kinds).</summary>
    public ClaimTraining? Training { get; init; }

    /// <summary>The τ entry of the sweep this claim needs.</summary>
    public TauGridEntry TauEntry => new(Tau, Param.Count == 0 ? null : Param);
}

/// <summary>The reference network of an accuracy-comparison claim: the claim's network with another block and τ rule,
/// trained on the same data, seeds and settings.</summary>
public sealed record ClaimReference(BlockKind Block, string Tau)
{
    /// <summary>The reference as a claim of its own (id <c>&lt;claim id&gt;#reference</c>), so it plans and trains like any arm.</summary>
    public Claim Arm(Claim of) => of with
    {
        Id = of.Id + "#reference", Network = of.Network with { Block = Block }, Tau = Tau,
        Param = new Dictionary<string, double[]>(StringComparer.Ordinal), Controls = [], Reference = null,
    };

    public string Describe() => $"{Block.Name()}, τ = {Tau}";
}

/// <summary>A control: the fields it overrides (as written) and the claim they give.</summary>
public sealed record ClaimControl(JsonObject Overrides, Claim Claim)
{
    /// <summary>The overrides in one line, e.g. <c>tau = L^(-1/2+0.05)</c>.</summary>
    public string Describe() => string.Join(", ", Overrides.Select(p => $"{p.Key} = {Flat(p.Value)}"));

    private static string Flat(JsonNode? n) => n switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o => "{" + string.Join(", ", o.Select(p => $"{p.Key}: {Flat(p.Value)}")) + "}",
        null => "null",
        _ => n.ToJsonString(),
    };
}
