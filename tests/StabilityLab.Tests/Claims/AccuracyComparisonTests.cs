using System.Text.Json.Nodes;
using StabilityLab.Claims;
using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Torch.Claims;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Training;

namespace StabilityLab.Tests.Claims;

/// <summary>
/// The kind accuracy-comparison (claim 5): its paired non-inferiority test on hand-made runs (PASS, FAIL, INCONCLUSIVE),
/// the strict reading of its keys, and `check` end to end on a miniature Fashion-MNIST folder written here (a learnable
/// 10-class problem: class c lights rows 2c..2c+1 of the image), so no test needs the installed dataset; without the
/// files the claim is INCONCLUSIVE with the install hint.
/// </summary>
[NonParallelizable]
public class AccuracyComparisonTests
{
    private const string Base = """
        { "schema": 1, "title": "t", "seed": 1, "claims": [
         { "id": "c", "statement": "s", "kind": "accuracy-comparison", "network": { "block": "post", "width": 32 }, "tau": "1/sqrt(L)",
           "reference": { "block": "post-bn", "tau": "1/sqrt(L)" }, "depths": [4, 16], "dataset": "fashion-mnist", "samples": 400,
           "test_samples": 200, "optimizer": "sgd", "lr": 0.1, "steps": 100, "seeds": 3, "trainable": "all", "margin": 0.1,
           "paper_result": "quoted", "controls": [ { "tau": "1" } ] }
        ]}
        """;

    private static Claim Parse(Action<JsonObject>? edit = null)
    {
        var root = JsonNode.Parse(Base)!.AsObject();
        edit?.Invoke(root["claims"]![0]!.AsObject());
        return ClaimsFile.Parse(root.ToJsonString(), "t.json").Claims[0];
    }

    private static SweepRun Run(int depth, string tau, ulong seed, double accuracy, bool diverged = false) =>
        new($"L={depth}|{tau}|{seed}", depth, tau, 0.5, seed, 0.05, diverged ? TrainingOutcome.Diverged : TrainingOutcome.Completed, 60, null,
            1, 0.5, null, null, accuracy, 0.1, 0);

    private static TrainingStudyResult Study(params SweepRun[] runs) => new("", runs, [], 0, "");

    /// <summary>The claim's arm (post, 1/sqrt(L)) and its reference (post-bn, 1/sqrt(L)) at each depth and seed.</summary>
    private static (TrainingStudyResult Own, TrainingStudyResult Reference) Arms(double[][] own, double[][] reference)
    {
        var depths = new[] { 4, 16 };
        var a = depths.SelectMany((L, i) => own[i].Select((p, s) => Run(L, "1/sqrt(L)", (ulong)(s + 1), p))).ToArray();
        var b = depths.SelectMany((L, i) => reference[i].Select((p, s) => Run(L, "1/sqrt(L)", (ulong)(s + 1), p))).ToArray();
        return (Study(a), Study(b));
    }

    private static VerdictOutcome Outcome(Check c) => c.Decide(c.PValue ?? 1).Outcome;

    [Test]
    public void PassesWhenTheClaimIsAsGoodAndFailsWhenItIsFarWorse()
    {
        var c = Parse();
        var same = Arms([[0.80, 0.81, 0.79], [0.78, 0.80, 0.79]], [[0.80, 0.80, 0.81], [0.79, 0.80, 0.80]]);
        var check = AccuracyComparison.Evaluate(c, same.Own, same.Reference, 10000, 10);
        Assert.That(Outcome(check), Is.EqualTo(VerdictOutcome.Pass), check.Measurement);
        Assert.That(check.Measurement, Does.Contain("L = 4:").And.Contain("L = 16:").And.Contain("quoted"));

        // Far worse at the deepest depth only: the claim is about every depth.
        var worse = Arms([[0.80, 0.81, 0.79], [0.40, 0.45, 0.42]], [[0.80, 0.80, 0.81], [0.79, 0.80, 0.80]]);
        Assert.That(Outcome(AccuracyComparison.Evaluate(c, worse.Own, worse.Reference, 10000, 10)), Is.EqualTo(VerdictOutcome.Fail));
    }

    [Test]
    public void AMarginTooTightForTheSeedsIsUndecidedAndAWiderOneDecides()
    {
        // 2 points behind with a seed spread of about 2 points: δ = 0.01 is neither shown nor excluded with 3 seeds; δ = 0.15 is shown.
        var arms = Arms([[0.76, 0.80, 0.78], [0.75, 0.79, 0.78]], [[0.80, 0.80, 0.80], [0.80, 0.79, 0.80]]);
        var tight = AccuracyComparison.Evaluate(Parse(o => o["margin"] = 0.01), arms.Own, arms.Reference, 10000, 10);
        var wide = AccuracyComparison.Evaluate(Parse(o => o["margin"] = 0.15), arms.Own, arms.Reference, 10000, 10);
        Assert.That(Outcome(tight), Is.EqualTo(VerdictOutcome.Inconclusive), tight.Measurement);
        Assert.That(Outcome(wide), Is.EqualTo(VerdictOutcome.Pass), wide.Measurement);
        Assert.That(wide.PValue!.Value, Is.LessThan(tight.PValue!.Value));
    }

    [Test]
    public void ASmallTestSetWidensTheInterval()
    {
        // Identical accuracies at every seed: only the test set's binomial variance is left, and it shrinks with n.
        var arms = Arms([[0.9, 0.9, 0.9], [0.9, 0.9, 0.9]], [[0.9, 0.9, 0.9], [0.9, 0.9, 0.9]]);
        var c = Parse(o => o["margin"] = 0.02);
        var small = AccuracyComparison.Evaluate(c, arms.Own, arms.Reference, 100, 10);
        var large = AccuracyComparison.Evaluate(c, arms.Own, arms.Reference, 10000, 10);
        Assert.That(small.PValue!.Value, Is.GreaterThan(large.PValue!.Value));
        Assert.That(Outcome(small), Is.EqualTo(VerdictOutcome.Inconclusive));
        Assert.That(Outcome(large), Is.EqualTo(VerdictOutcome.Pass));
    }

    [Test]
    public void ARunThatDivergedBeforeAnyEvaluationScoresChance()
    {
        // τ = 1 at L = 128 overflows at the initialization: no test accuracy was recorded, and the run is not left out.
        var own = Study(Run(4, "1/sqrt(L)", 1, 0.8), Run(4, "1/sqrt(L)", 2, 0.8), Run(16, "1/sqrt(L)", 1, 0.8) with { TestAccuracy = null, Outcome = TrainingOutcome.Diverged },
            Run(16, "1/sqrt(L)", 2, 0.8) with { TestAccuracy = null, Outcome = TrainingOutcome.Diverged });
        var reference = Study(Run(4, "1/sqrt(L)", 1, 0.8), Run(4, "1/sqrt(L)", 2, 0.81), Run(16, "1/sqrt(L)", 1, 0.8), Run(16, "1/sqrt(L)", 2, 0.81));
        var check = AccuracyComparison.Evaluate(Parse(), own, reference, 10000, 10);
        Assert.That(Outcome(check), Is.EqualTo(VerdictOutcome.Fail), check.Measurement);
        Assert.That(check.Measurement, Does.Contain("L = 16: 10.0%").And.Contain("2 of 2 diverged"));
    }

    /// <summary>n images, correct where <paramref name="right"/> says so.</summary>
    private static CorrectImages Images(int n, Func<int, bool> right) => CorrectImages.From(Enumerable.Range(0, n).Select(right).ToArray());

    [Test]
    public void ArmsThatAgreeOnEveryImageKeepTheFloorVarianceAndTheSeedDegreesOfFreedom()
    {
        // Identical answers at every seed: every per-image difference is 0. The variance is not 0 but the floor 2/(k n²).
        var seeds = Enumerable.Range(0, 4).Select(s => Images(1000, i => (i + s) % 3 != 0)).Select(c => (c, c)).ToList();
        var (variance, df) = AccuracyComparison.PairedImageVariance(seeds);
        Assert.That(variance, Is.EqualTo(2.0 / (4 * 1000.0 * 1000)).Within(1e-18));
        Assert.That(df, Is.EqualTo(3));
    }

    [Test]
    public void PairingTheImagesNarrowsTheIntervalOfArmsThatErrOnTheSameImages()
    {
        // Both arms miss mostly the same images (the hard ones): the per-image differences are mostly 0, far less spread than
        // two independent binomial samples; the same runs without their per-image results take the binomial variance.
        const int n = 2000;
        var own = new List<SweepRun>();
        var reference = new List<SweepRun>();
        for (int s = 0; s < 4; s++)
        {
            var a = Images(n, i => i % 4 != 0 && !(i % 97 == s));
            var b = Images(n, i => i % 4 != 0 && !(i % 89 == s));
            own.Add(Run(8, "1/sqrt(L)", (ulong)s + 1, a.Accuracy) with { TestCorrect = a });
            reference.Add(Run(8, "1/sqrt(L)", (ulong)s + 1, b.Accuracy) with { TestCorrect = b });
        }
        var paired = AccuracyComparison.Compare([8], own, reference, n, 0.05, 0.05).Single();
        var unpaired = AccuracyComparison.Compare([8], own.Select(x => x with { TestCorrect = null }).ToList(),
            reference.Select(x => x with { TestCorrect = null }).ToList(), n, 0.05, 0.05).Single();
        Assert.That(paired.Difference, Is.EqualTo(unpaired.Difference));
        Assert.That(paired.UpperBound - paired.LowerBound, Is.LessThan(0.5 * (unpaired.UpperBound - unpaired.LowerBound)));
        Assert.That(paired.P, Is.LessThan(unpaired.P));
    }

    [Test]
    public void FewerThanTwoPairedSeedsAtADepthIsInconclusive()
    {
        var own = Study(Run(4, "1/sqrt(L)", 1, 0.8), Run(4, "1/sqrt(L)", 2, 0.8), Run(16, "1/sqrt(L)", 1, 0.8));
        var reference = Study(Run(4, "1/sqrt(L)", 1, 0.8), Run(4, "1/sqrt(L)", 2, 0.8), Run(16, "1/sqrt(L)", 2, 0.8));
        Assert.That(Outcome(AccuracyComparison.Evaluate(Parse(), own, reference, 1000, 10)), Is.EqualTo(VerdictOutcome.Inconclusive));
    }

    private static IEnumerable<TestCaseData> BadClaims()
    {
        TestCaseData Case(string name, Action<JsonObject> edit, string expected) => new TestCaseData(edit, expected).SetName("AccuracyComparisonRefuses" + name);
        yield return Case("AnUnknownReferenceKey", o => o["reference"]!["width"] = 8, "width");
        yield return Case("AReferenceWithoutTau", o => o["reference"]!.AsObject().Remove("tau"), "tau");
        yield return Case("AMissingReference", o => o.Remove("reference"), "reference");
        yield return Case("ItsOwnNetworkAsReference", o => o["reference"] = new JsonObject { ["block"] = "post", ["tau"] = "1/sqrt(L)" }, "own network");
        yield return Case("NoLr", o => o.Remove("lr"), "lr");
        yield return Case("NoMargin", o => o.Remove("margin"), "margin");
        yield return Case("OneSeed", o => o["seeds"] = 1, "seeds");
        yield return Case("AnotherQuantity", o => o["quantity"] = "loss", "accuracy");
        yield return Case("AnUnknownKey", o => o["baseline"] = "bn", "baseline");
    }

    [TestCaseSource(nameof(BadClaims))]
    public void RefusesBadInputNamingTheKey(Action<JsonObject> edit, string expected)
    {
        var e = Assert.Throws<SpecException>(() => Parse(edit));
        Assert.That(e!.Message, Does.Contain("'c'").And.Contain(expected));
    }

    [Test]
    public void ReferenceAndPaperResultBelongToTheComparisonOnly()
    {
        foreach (var key in new[] { "reference", "paper_result" })
        {
            var e = Assert.Throws<SpecException>(() => Parse(o =>
            {
                o["kind"] = "converges";
                o.Remove("margin");
                if (key == "reference") o.Remove("paper_result"); else o.Remove("reference");
            }));
            Assert.That(e!.Message, Does.Contain(key).And.Contain("accuracy-comparison"));
        }
    }

    [Test]
    public void SyntheticDataCannotBeCompared()
    {
        var c = Parse(o => { o["dataset"] = "synthetic"; o.Remove("test_samples"); });
        var e = Assert.Throws<SpecException>(() => new TrainingClaims().Validate([c], 1));
        Assert.That(e!.Message, Does.Contain("'c'").And.Contain("fashion-mnist"));
    }

    // ---- check, end to end ----

    /// <summary>n images of class i mod 10: rows 2c and 2c + 1 bright, the rest low noise from a fixed generator.</summary>
    private static void WriteSplit(string dir, string images, string labels, int n, int seed)
    {
        var rng = new Random(seed);
        var px = new byte[n * 784];
        for (int i = 0; i < n; i++)
        {
            int c = i % 10;
            for (int k = 0; k < 784; k++) px[i * 784 + k] = (byte)(k / 28 / 2 == c ? 150 + rng.Next(100) : rng.Next(60));
        }
        File.WriteAllBytes(Path.Combine(dir, images), Training.DataTests.Idx(0x08, [n, 28, 28], px));
        File.WriteAllBytes(Path.Combine(dir, labels), Training.DataTests.Idx(0x08, [n], Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray()));
    }

    private static string WriteFile(string dir, string dataDir)
    {
        var root = JsonNode.Parse(Base)!.AsObject();
        root["claims"]![0]!["data_dir"] = dataDir;
        var path = Path.Combine(dir, "c.json");
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }

    [Test]
    public void CheckPassesTheClaimAndFailsItsControlOnALearnableProblem()
    {
        var dir = Directory.CreateTempSubdirectory("check-acc-").FullName;
        try
        {
            var data = Directory.CreateDirectory(Path.Combine(dir, "fashion")).FullName;
            WriteSplit(data, FashionMnist.TrainImages, FashionMnist.TrainLabels, 400, 1);
            WriteSplit(data, FashionMnist.TestImages, FashionMnist.TestLabels, 200, 2);
            var outDir = Path.Combine(dir, "out");
            var (code, _, stderr) = CliHarness.Run("check", WriteFile(dir, data), "--out", outDir, "--threads", "1");
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, VerdictFiles.Json)))!["claims"]![0]!;
            Assert.That(code, Is.EqualTo(0), stderr + (string?)json["measurement"] + (string?)json["controls"]![0]!["measurement"]);
            Assert.That((string?)json["verdict"], Is.EqualTo("PASS"));
            Assert.That((string?)json["controls"]![0]!["verdict"], Is.EqualTo("FAIL"), "τ = 1 without BatchNorm at the same step size");
            // Two studies: post (τ = 1/√L and the control's τ = 1) and post-bn (the reference).
            var studies = Directory.GetDirectories(Path.Combine(outDir, ClaimStudies.Folder));
            Assert.That(studies, Has.Length.EqualTo(2));
            // Every run with a test accuracy keeps which test images it got right (test-correct.csv), read back with its run.
            foreach (var study in studies)
            {
                Assert.That(File.Exists(Path.Combine(study, TrainingStudy.CorrectFile)), study);
                var runs = TrainingStudy.Read(study).Runs.Where(r => r.TestAccuracy is not null).ToList();
                Assert.That(runs, Is.Not.Empty);
                foreach (var r in runs)
                {
                    Assert.That(r.TestCorrect, Is.Not.Null, r.Id);
                    Assert.That(r.TestCorrect!.Count, Is.EqualTo(200), r.Id);
                    Assert.That(r.TestCorrect.Accuracy, Is.EqualTo(r.TestAccuracy), r.Id);
                }
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void WithoutTheDatasetFilesTheClaimIsInconclusiveWithTheInstallHint()
    {
        var dir = Directory.CreateTempSubdirectory("check-acc-none-").FullName;
        try
        {
            var empty = Directory.CreateDirectory(Path.Combine(dir, "empty")).FullName;
            var outDir = Path.Combine(dir, "out");
            var (code, _, stderr) = CliHarness.Run("check", WriteFile(dir, empty), "--out", outDir, "--threads", "1");
            Assert.That(code, Is.EqualTo(3), stderr);
            var c = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, VerdictFiles.Json)))!["claims"]![0]!;
            Assert.That((string?)c["verdict"], Is.EqualTo("INCONCLUSIVE"));
            Assert.That(c.ToJsonString(), Does.Contain("apt-get install dataset-fashion-mnist"));
            Assert.That((string?)c["controls"]![0]!["verdict"], Is.EqualTo("INCONCLUSIVE"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
