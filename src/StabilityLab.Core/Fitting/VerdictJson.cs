using System.Text.Json.Nodes;

namespace StabilityLab.Fitting;

/// <summary>
/// A verdict and a family's summary as JSON (docs/file-formats.md, fits.json "verdicts" and "summary"), shared by fits.json,
/// verdicts.json and `verify --json`. Numbers as numbers; a p-value that is not finite is null, never NaN.
/// </summary>
public static class VerdictJson
{
    public static JsonObject Of(Verdict v) => new()
    {
        ["claim"] = v.Claim, ["prediction"] = v.Prediction, ["measurement"] = v.Measurement,
        ["test"] = v.Test, ["outcome"] = v.Outcome, ["verdict"] = v.Outcome, ["reason"] = v.Reason, ["pass"] = v.Pass,
        ["p_value"] = Finite(v.PValue), ["p_adjusted"] = Finite(v.AdjustedPValue),
    };

    public static JsonObject Summary(IReadOnlyList<Verdict> verdicts, double alpha) => new()
    {
        ["headline"] = VerdictFamily.Headline(verdicts),
        ["pass"] = verdicts.Count(v => v.Result == VerdictOutcome.Pass),
        ["fail"] = verdicts.Count(v => v.Result == VerdictOutcome.Fail),
        ["inconclusive"] = verdicts.Count(v => v.Result == VerdictOutcome.Inconclusive),
        ["multiplicity"] = "Holm",
        ["holm_family_size"] = verdicts.Count(v => v.AdjustedPValue is not null),
        ["alpha"] = alpha,
    };

    private static double? Finite(double? v) => v is double d && double.IsFinite(d) ? d : null;
}
