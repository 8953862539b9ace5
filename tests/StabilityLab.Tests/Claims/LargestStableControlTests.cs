using System.Globalization;
using System.Text.Json.Nodes;
using StabilityLab.Claims;
using StabilityLab.Models;
using StabilityLab.Tables;
using StabilityLab.Torch.Claims;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Training;

namespace StabilityLab.Tests.Claims;

/// <summary>
/// "lr": "largest-stable" in a control (docs/claims.md §8): read strictly (only in a control of rate-independent-of-depth
/// or converges, with gradient descent), the step it finds (inside the linearized stability region of every seed, the
/// next grid step outside it), and `check` end to end: τ = 1 at its own largest stable step per depth FAILs the depth claim.
/// </summary>
[NonParallelizable]
public class LargestStableControlTests
{
    private static JsonObject RateClaim(JsonObject? control = null) => new()
    {
        ["id"] = "rate",
        ["statement"] = "rate",
        ["kind"] = "rate-independent-of-depth",
        ["network"] = new JsonObject { ["width"] = 64 },
        ["tau"] = "1/sqrt(L)",
        ["depths"] = new JsonArray(2, 4, 8, 16, 32),
        ["samples"] = 8,
        ["input_dim"] = 64,
        ["steps"] = 100,
        ["seeds"] = 4,
        ["controls"] = new JsonArray(control ?? new JsonObject { ["tau"] = "1", ["lr"] = "largest-stable" }),
    };

    private static void Refused(JsonObject claim, params string[] words)
    {
        var e = Assert.Throws<SpecException>(() => ClaimsFile.Parse(ClaimsFileTests.File(claim), "x.json"))!;
        Assert.That(e.Message, Does.Contain("rate"));
        foreach (var w in words) Assert.That(e.Message, Does.Contain(w));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void ItReadsInAControlAndIsRefusedElsewhere()
    {
        var c = ClaimsFile.Parse(ClaimsFileTests.File(RateClaim()), "x.json").Claims.Single();
        var control = c.Controls.Single().Claim.Training!;
        Assert.Multiple(() =>
        {
            Assert.That(control.LargestStable, Is.True);
            Assert.That(control.Lr, Is.Null);
            Assert.That(c.Training!.LargestStable, Is.False);
        });
        Assert.Multiple(() =>
        {
            Refused(RateClaim().Also(o => o["lr"] = "largest-stable"), "is for a control");
            Refused(RateClaim(new JsonObject { ["tau"] = "1", ["lr"] = "largest" }), "\"lr\" must be a number > 0 or \"largest-stable\"", "largest");
            Refused(RateClaim(new JsonObject { ["tau"] = "1", ["lr"] = "largest-stable", ["optimizer"] = "sgd" }), "gradient descent");
            Refused(RateClaim().Also(o => { o["kind"] = "diverges"; o["lr"] = 1e-3; }), "rate-independent-of-depth and converges");
        });
    }

    [Test]
    public void BadInputIsExitTwo()
    {
        var dir = Directory.CreateTempSubdirectory("largest-stable-bad-").FullName;
        try
        {
            var path = Path.Combine(dir, "t.json");
            System.IO.File.WriteAllText(path, ClaimsFileTests.File(RateClaim(new JsonObject { ["tau"] = "1", ["lr"] = "stable" })));
            var (code, _, stderr) = CliHarness.Run("check", path, "--out", Path.Combine(dir, "out"));
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain("largest-stable"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void TheStepFoundIsInsideTheLinearizedEdgeOfEverySeedAndTheNextOneIsNot()
    {
        var data = new SyntheticData(8, 64, 1, TargetKind.Random);
        var draws = new ulong[] { 1, 2, 3 }.Select(s => (s, data.Load(s))).ToList();
        var options = new TrainingOptions { Steps = 100, Precision = TorchSharp.torch.ScalarType.Float64 };
        foreach (int L in new[] { 2, 8, 32 })
        {
            var spec = new NetworkSpec(64, L, TauRule.Parse("1"), BlockKind.Post, Activation.Relu, WeightLaw.Gaussian, 64, 1);
            var found = LargestStableStep.Find(spec, draws, options, 1e-2);
            double lambda = draws.Max(d => LinearizedPrediction.AtInitialization(spec, d.Item2, options, d.s)!.LambdaMax);
            TestContext.Out.WriteLine($"L = {L}: η = {found.Step:G3} (k = {found.Halvings}, {found.Probes} probe(s)), ηλ_max = {found.Step * lambda:G3}");
            Assert.That(found.Found, Is.True);
            Assert.That(found.Step * lambda, Is.LessThan(2), $"L = {L}");
            // The next step up the grid is outside the edge, or the first step of the grid.
            Assert.That(found.Halvings == 0 || 2 * found.Step * lambda >= 2, $"L = {L}: one halving fewer is still inside the edge");
            // The full run at the step found does not diverge for any seed.
            foreach (var (s, d) in draws)
                Assert.That(Trainer.Run(spec, d, options with { StepSize = found.Step }, s).Outcome, Is.Not.EqualTo(TrainingOutcome.Diverged), $"L = {L}, seed {s}");
        }
    }

    [Test]
    public void TauOneAtItsOwnLargestStableStepFailsTheDepthClaim()
    {
        var dir = Directory.CreateTempSubdirectory("largest-stable-check-").FullName;
        try
        {
            var path = Path.Combine(dir, "t.json");
            System.IO.File.WriteAllText(path, ClaimsFileTests.File(RateClaim()));
            var outDir = Path.Combine(dir, "out");
            CliHarness.Run("check", path, "--out", outDir, "--threads", "1");
            var claim = JsonNode.Parse(System.IO.File.ReadAllText(Path.Combine(outDir, VerdictFiles.Json)))!["claims"]!.AsArray().Single()!;
            var control = claim["controls"]!.AsArray().Single()!;
            Assert.That((string?)control["verdict"], Is.EqualTo("FAIL"), (string?)control["measurement"] + " / " + (string?)claim["measurement"]);
            Assert.That((string?)control["prediction"], Does.Contain("largest stable"));
            // Its own study: one step size per depth, smaller the deeper.
            var runs = Directory.GetFiles(Path.Combine(outDir, ClaimStudies.Folder), "runs.csv", SearchOption.AllDirectories)
                .Select(CsvTable.Read).Single(t => t.Rows.All(r => r[t.Column("tau_rule")] == "1"));
            var steps = runs.Rows.GroupBy(r => int.Parse(r[runs.Column("depth")], CultureInfo.InvariantCulture))
                .OrderBy(g => g.Key).Select(g => g.Select(r => double.Parse(r[runs.Column("lr")], CultureInfo.InvariantCulture)).Distinct().Single()).ToList();
            TestContext.Out.WriteLine("η by depth: " + string.Join(", ", steps.Select(x => x.ToString("G3", CultureInfo.InvariantCulture))));
            Assert.That(steps, Is.Ordered.Descending);
            Assert.That(steps[^1], Is.LessThan(steps[0] / 1000), "τ = 1 at L = 32 needs a far smaller step than at L = 2");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
