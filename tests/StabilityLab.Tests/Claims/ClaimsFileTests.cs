using System.Text.Json.Nodes;
using StabilityLab.Claims;
using StabilityLab.Models;

namespace StabilityLab.Tests.Claims;

/// <summary>The claims file is read strictly: every malformed input is a one-line error naming the claim and the key.</summary>
public class ClaimsFileTests
{
    internal static JsonObject Claim(string id = "c1", string kind = "bounded") => new()
    {
        ["id"] = id,
        ["statement"] = "a statement",
        ["kind"] = kind,
        ["network"] = new JsonObject { ["block"] = "post", ["width"] = 32 },
        ["tau"] = "1/sqrt(L)",
        ["depths"] = "4..64x2",
        ["trials"] = 50,
    };

    internal static string File(params JsonObject[] claims) =>
        new JsonObject { ["schema"] = 1, ["title"] = "t", ["seed"] = 3, ["claims"] = new JsonArray(claims.Select(c => (JsonNode)c).ToArray()) }.ToJsonString();

    [Test]
    public void AValidFileReadsWithItsDefaultsAndControls()
    {
        var c = Claim();
        c["controls"] = new JsonArray(new JsonObject { ["tau"] = "L^(-1/2+0.2)" }, new JsonObject { ["network"] = new JsonObject { ["width"] = 16 } });
        var f = ClaimsFile.Parse(File(c), "x.json");
        var claim = f.Claims.Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.Seed, Is.EqualTo(3UL));
            Assert.That(claim.Kind, Is.EqualTo(ClaimKind.Bounded));
            Assert.That(claim.Depths, Is.EqualTo(new[] { 4, 8, 16, 32, 64 }));
            Assert.That(claim.Statistic, Is.EqualTo(Statistic.LogMean), "forward defaults to log_mean");
            Assert.That(claim.Margin, Is.EqualTo(ClaimsFile.DefaultMargin));
            Assert.That(claim.Controls, Has.Count.EqualTo(2));
            Assert.That(claim.Controls[0].Claim.Tau, Is.EqualTo("L^(-1/2+0.2)"));
            Assert.That(claim.Controls[0].Claim.Network.Width, Is.EqualTo(32), "an override replaces only what it names");
            Assert.That(claim.Controls[1].Claim.Network.Width, Is.EqualTo(16));
            Assert.That(claim.Controls[1].Claim.Network.Block, Is.EqualTo(BlockKind.Post), "a network override merges key by key");
            Assert.That(claim.Controls[1].Claim.Id, Is.EqualTo("c1/control-2"));
        });
    }

    private static IEnumerable<TestCaseData> BadClaims()
    {
        TestCaseData Case(string name, Action<JsonObject> edit, params string[] words) => new TestCaseData(edit, words).SetName($"Refuses_{name}");
        yield return Case("UnknownKey", c => c["tresholds"] = 1, "c1", "tresholds");
        yield return Case("UnknownKind", c => c["kind"] = "stable", "c1", "stable");
        yield return Case("TrainingKindWithTrials", c => c["kind"] = "converges", "c1", "seeds", "trials");
        yield return Case("DivergesWithoutLr", c => { c["kind"] = "diverges"; c.Remove("trials"); }, "c1", "lr");
        yield return Case("TrainingKeyOnASweepKind", c => c["lr"] = 0.1, "c1", "lr", "training");
        yield return Case("ZeroSeeds", c => { c["kind"] = "converges"; c.Remove("trials"); c["lr"] = 1e-4; c["seeds"] = 0; }, "c1", "seeds");
        yield return Case("LrFractionOfOne", c => { c["kind"] = "converges"; c.Remove("trials"); c["lr_fraction"] = 1; }, "c1", "lr_fraction");
        yield return Case("LrFractionWithANumericLr", c => { c["kind"] = "converges"; c.Remove("trials"); c["lr"] = 1e-4; c["lr_fraction"] = 0.8; }, "c1", "lr_fraction", "lr");
        yield return Case("LossFractionOfOne", c => { c["kind"] = "converges"; c.Remove("trials"); c["lr"] = 1e-4; c["loss_fraction"] = 1; }, "c1", "loss_fraction");
        yield return Case("StatisticOnATrainingKind", c => { c["kind"] = "converges"; c.Remove("trials"); c["lr"] = 1e-4; c["statistic"] = "median"; }, "c1", "statistic");
        yield return Case("ForwardOfBlockProducts", c => { c["kind"] = "operator-norm-bounded"; c["quantity"] = "forward"; }, "c1", "product");
        yield return Case("PredictWidthOnBounded", c => c["predict_width"] = 16, "c1", "predict_width", "matches-theory");
        yield return Case("ForwardMaxOfTheTheory", c => { c["kind"] = "matches-theory"; c["quantity"] = "forward-max"; }, "c1", "forward-max");
        yield return Case("GrowthWithoutValue", c => c["kind"] = "growth-exponent", "c1", "value");
        yield return Case("BelowWithoutBound", c => c["kind"] = "below", "c1", "bound");
        yield return Case("BoundWithUnknownVariable", c => { c["kind"] = "below"; c["bound"] = "L*log(1+2*sigma^2)"; }, "c1", "sigma");
        yield return Case("BadTau", c => c["tau"] = "1/sqrt(", "c1", "τ rule");
        yield return Case("NonPositiveDepth", c => c["depths"] = new JsonArray(0, 4, 8), "c1", "depth");
        yield return Case("TooFewDepths", c => c["depths"] = new JsonArray(4, 8), "c1", "3 depths");
        yield return Case("StringTrials", c => c["trials"] = "many", "c1", "trials");
        yield return Case("OneTrial", c => c["trials"] = 1, "c1", "trials");
        yield return Case("UnknownNetworkKey", c => ((JsonObject)c["network"]!)["depth"] = 3, "c1", "depth");
        yield return Case("UnknownBlock", c => ((JsonObject)c["network"]!)["block"] = "dense", "c1", "dense");
        yield return Case("UnknownQuantity", c => c["quantity"] = "sideways", "c1", "sideways");
        yield return Case("LogMeanOfBackward", c => { c["quantity"] = "backward"; c["statistic"] = "log_mean"; }, "c1", "log_mean");
        yield return Case("NegativeMargin", c => c["margin"] = -0.1, "c1", "margin");
        yield return Case("AlphaOutOfRange", c => c["alpha"] = 0.7, "c1", "alpha");
        yield return Case("FamilyForBounded", c => { c["tau"] = "L^-beta"; c["param"] = new JsonObject { ["beta"] = "0:1:5" }; }, "c1", "family");
        yield return Case("ThresholdWithoutFamily", c => { c["kind"] = "threshold-exponent"; c["value"] = -0.5; }, "c1", "family");
        yield return Case("ControlOverridingId", c => c["controls"] = new JsonArray(new JsonObject { ["id"] = "x" }), "c1", "control", "id");
        yield return Case("ControlWithUnknownKey", c => c["controls"] = new JsonArray(new JsonObject { ["tua"] = "1" }), "c1", "control 1", "tua");
        yield return Case("EmptyControl", c => c["controls"] = new JsonArray(new JsonObject()), "c1", "controls[0]");
        yield return Case("BadId", c => c["id"] = "a b", "a b");
    }

    [TestCaseSource(nameof(BadClaims))]
    public void ABadClaimIsAnErrorNamingTheClaimAndTheKey(Action<JsonObject> edit, string[] words)
    {
        var c = Claim();
        edit(c);
        var e = Assert.Throws<SpecException>(() => ClaimsFile.Parse(File(c), "x.json"))!;
        Assert.That(e.Message, Does.Not.Contain("\n"));
        foreach (var w in words) Assert.That(e.Message, Does.Contain(w), e.Message);
    }

    [TestCase("{", "malformed")]
    [TestCase("[]", "object")]
    [TestCase("{\"schema\": 2, \"claims\": []}", "schema 2")]
    [TestCase("{\"schema\": 1, \"claims\": []}", "non-empty")]
    [TestCase("{\"schema\": 1, \"claims\": [], \"extra\": 1}", "extra")]
    public void ABadFileIsAnError(string json, string word)
    {
        var e = Assert.Throws<SpecException>(() => ClaimsFile.Parse(json, "x.json"))!;
        Assert.That(e.Message, Does.Contain(word));
    }

    [Test]
    public void DuplicateIdsAreRefused()
    {
        var e = Assert.Throws<SpecException>(() => ClaimsFile.Parse(File(Claim(), Claim()), "x.json"))!;
        Assert.That(e.Message, Does.Contain("'c1'"));
    }

    [Test]
    public void TheShippedClaimsFilesRead()
    {
        foreach (var path in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "claims"), "*.json"))
        {
            var f = ClaimsFile.Load(path);
            Assert.That(f.Claims, Is.Not.Empty, path);
            Assert.That(f.Claims.All(c => c.Controls.Count >= 1), $"{path}: every claim carries a control");
        }
    }
}
