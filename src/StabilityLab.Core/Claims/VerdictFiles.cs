using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Fitting;
using StabilityLab.Output;

namespace StabilityLab.Claims;

/// <summary>verdicts.json and verdicts.md of a check (docs/file-formats.md), written atomically.</summary>
public static class VerdictFiles
{
    public const string Json = "verdicts.json";
    public const string Markdown = "verdicts.md";

    public static void Write(string dir, string title, ulong seed, CheckResult r)
    {
        Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, Json), ToJson(title, seed, r));
        AtomicFile.WriteAllText(Path.Combine(dir, Markdown), ToMarkdown(r));
    }

    public static string ToJson(string title, ulong seed, CheckResult r)
    {
        var root = new JsonObject
        {
            ["tool"] = "stabilitylab",
            ["version"] = RunInfo.Version,
            ["title"] = title,
            ["seed"] = seed,
            ["headline"] = r.Headline,
            ["exit_code"] = r.ExitCode,
            ["counts"] = new JsonObject
            {
                ["claims"] = r.Claims.Count, ["claims_pass"] = r.ClaimsPassed, ["claims_fail"] = r.ClaimsFailed,
                ["controls"] = r.Controls, ["controls_fail_as_they_must"] = r.ControlsFailedAsTheyMust, ["controls_pass"] = r.ControlsPassed,
                ["inconclusive"] = r.Inconclusive,
            },
            ["multiplicity"] = "Holm, over the claims; separately, over the controls",
            ["claims"] = new JsonArray(r.Claims.Select(c =>
            {
                var o = Node(c.Verdict);
                o.Insert(0, "id", c.Claim.Id);
                o.Insert(1, "statement", c.Claim.Statement);
                o.Insert(2, "source", c.Claim.Source);
                o.Insert(3, "kind", c.Claim.Kind);
                o["studies"] = new JsonArray(c.Studies.Select(s => (JsonNode)s).ToArray());
                o["controls"] = new JsonArray(c.Controls.Select(k =>
                {
                    var n = Node(k.Verdict);
                    n.Insert(0, "id", k.Control.Id);
                    n.Insert(1, "overrides", k.Control.Overrides.DeepClone());
                    n["failed_as_it_must"] = k.FailedAsItMust;
                    return (JsonNode)n;
                }).ToArray());
                return (JsonNode)o;
            }).ToArray()),
        };
        return JsonText.Of(root);
    }

    private static JsonObject Node(Verdict v)
    {
        var o = VerdictJson.Of(v);
        o.Remove("claim"); // the claim's id and statement stand beside it
        return o;
    }

    public static string ToMarkdown(CheckResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# {r.Title}").AppendLine();
        sb.AppendLine($"**{r.Headline}**").AppendLine();
        sb.Append(Table(r));
        return sb.ToString();
    }

    /// <summary>The verdict table: each claim, then its controls, with what each test measured and concluded.</summary>
    public static string Table(CheckResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Each control reruns its claim's test where the claim must not hold, and must FAIL — the evidence that the test could have gone the other way (✓ it did, ✗ it did not). Claims are Holm-corrected as one family, controls as another (docs/claims.md).").AppendLine();
        sb.AppendLine("| claim | prediction | measurement | test | verdict |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var c in r.Claims)
        {
            sb.AppendLine($"| **{Esc(c.Claim.Id)}**: {Esc(c.Claim.Statement)}{(c.Claim.Source.Length > 0 ? $" ({Esc(c.Claim.Source)})" : "")} | {Esc(c.Verdict.Prediction)} | {Esc(c.Verdict.Measurement)} | {Esc(c.Verdict.Test)} | {Cell(c.Verdict)} |");
            foreach (var k in c.Controls)
                sb.AppendLine($"| ↳ control: {Esc(k.Control.Description)} (must FAIL) | {Esc(k.Verdict.Prediction)} | {Esc(k.Verdict.Measurement)} | same test | {Cell(k.Verdict)}{(k.FailedAsItMust ? " ✓" : " ✗")} |");
        }
        return sb.ToString();
    }

    private static string Cell(Verdict v) => $"**{v.Outcome}**" + (v.Reason is { } why ? $": {Esc(why)}" : "");

    private static string Esc(string s) => s.Replace("|", "\\|").Replace("\n", " ");
}
