using StabilityLab.Cli;
using StabilityLab.Fitting;
using StabilityLab.Statistics;
using StabilityLab.Sweeps;

namespace StabilityLab.Tests.Fitting;

public class FittingTests
{
    [Test]
    public void WeightedLineFitRecoversAnExactLineAndItsKnownVarianceSlopeError()
    {
        double[] x = [0, 1, 2, 3, 4];
        double[] y = x.Select(v => 1.5 - 0.5 * v).ToArray();
        double[] se = [0.1, 0.1, 0.1, 0.1, 0.1];
        var f = WeightedLineFit.Fit(x, y, se);
        Assert.That(f.Slope, Is.EqualTo(-0.5).Within(1e-12));
        Assert.That(f.Intercept, Is.EqualTo(1.5).Within(1e-12));
        // Known variance: se(b) = σ/√Σ(x−x̄)² = 0.1/√10.
        Assert.That(f.SlopeSe, Is.EqualTo(0.1 / Math.Sqrt(10)).Within(1e-12));
        Assert.That(f.SlopeIntervalContains(-0.5), Is.True);
    }

    [Test]
    public void WeightedLineFitInflatesTheErrorWhenTheScatterExceedsTheStatedErrors()
    {
        double[] x = [0, 1, 2, 3, 4, 5];
        double[] y = [0, 1.3, 1.7, 3.4, 3.6, 5.2];
        double[] se = Enumerable.Repeat(0.01, 6).ToArray();
        var f = WeightedLineFit.Fit(x, y, se);
        Assert.That(f.ReducedChiSquare, Is.GreaterThan(100));
        Assert.That(f.SlopeSe, Is.GreaterThan(0.01 / Math.Sqrt(17.5) * 10));
    }

    [Test]
    public void ThresholdCrossingInterpolatesInLogTau()
    {
        double[] taus = [0.1, 0.2, 0.4, 0.8];
        double[] v = [0, 1, 3, 7];
        var lt = ThresholdCrossing.LogTau(taus, v, 2);
        Assert.That(lt, Is.Not.Null);
        Assert.That(lt!.Value, Is.EqualTo(0.5 * (Math.Log(0.2) + Math.Log(0.4))).Within(1e-12));
        Assert.That(ThresholdCrossing.LogTau(taus, v, 10), Is.Null);
    }

    [Test]
    public void ClopperPearsonMatchesKnownValues()
    {
        // Exact interval for 0/10 at 95%: [0, 1 − 0.025^(1/10)]; 10/10: [0.025^(1/10), 1].
        var (lo0, hi0) = BinomialInterval.ClopperPearson(0, 10);
        Assert.That(lo0, Is.Zero);
        Assert.That(hi0, Is.EqualTo(1 - Math.Pow(0.025, 0.1)).Within(1e-9));
        var (lo1, hi1) = BinomialInterval.ClopperPearson(10, 10);
        Assert.That(lo1, Is.EqualTo(Math.Pow(0.025, 0.1)).Within(1e-9));
        Assert.That(hi1, Is.EqualTo(1));
        var (lo, hi) = BinomialInterval.ClopperPearson(5, 10);
        Assert.That(lo, Is.EqualTo(0.187086).Within(1e-5));
        Assert.That(hi, Is.EqualTo(0.812914).Within(1e-5));
    }

    [Test]
    public void GrowthFitRecoversAPowerLaw()
    {
        var pts = new[] { 16, 64, 256, 1024 }.Select(L => new GrowthPoint(L, 2 * Math.Pow(L, 0.4), 2 * Math.Pow(L, 0.4) * 0.99, 2 * Math.Pow(L, 0.4) * 1.01)).ToList();
        var f = GrowthFit.Slope(pts)!;
        Assert.That(f.Slope, Is.EqualTo(0.4).Within(1e-9));
    }

    [Test]
    public void BoundCheckFlagsOnlyCellsBeyondTheBonferroniLevel()
    {
        var cells = new[]
        {
            new BoundCell(10, 0.1, 64, 1.0, 0.1),
            new BoundCell(20, 0.1, 64, 1.2, 0.1),
        };
        var ok = BoundCheck.LogMeanRatio(cells, null, (L, t, m) => 1.3);
        Assert.That(ok.Consistent, Is.True);
        var bad = BoundCheck.LogMeanRatio(cells, null, (L, t, m) => 0.5);
        Assert.That(bad.Consistent, Is.False);
        Assert.That(bad.Contradicting, Is.EqualTo(2));
        var lower = BoundCheck.LogMeanRatio(cells, (L, t, m) => 1.6, null);
        Assert.That(lower.Contradicting, Is.EqualTo(2));
    }
}

/// <summary>`fit` and `verify` on a small sweep: the verdicts the theory predicts, and exit codes.</summary>
public class FitCommandTests
{
    private static string _dir = "";

    [OneTimeSetUp]
    public static void Sweep()
    {
        _dir = Directory.CreateTempSubdirectory("fit-test-").FullName;
        var spec = new SweepSpec
        {
            Widths = [128],
            Depths = [16, 64, 256, 1024],
            Taus =
            [
                new TauGridEntry("L^-beta", new Dictionary<string, double[]> { ["beta"] = GridValues.ParseNumbers("0:1:13", "beta") }),
                new TauGridEntry("1/sqrt(L)"),
                new TauGridEntry("L^(-1/2+c)", new Dictionary<string, double[]> { ["c"] = [0.2] }),
            ],
            Trials = 200,
            Seed = 3,
            Bootstrap = 100,
            Raw = true,
        };
        SweepRunner.Run(spec, new SweepRunOptions(_dir));
    }

    [OneTimeTearDown]
    public static void Clean() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliHarness.Run(args);

    [Test]
    public void FitFindsTheSharpThresholdAndTheConverseGrowth()
    {
        var (code, stdout, err) = Cli("fit", _dir, "--resamples", "100");
        Assert.That(code, Is.EqualTo(0), stdout + err);
        var fits = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "fits.json")))!;
        double alpha = (double)fits["threshold"]!["law"]!["alpha"]!;
        Assert.That(alpha, Is.InRange(-0.6, -0.45));
        // The verdict's exponent, with the finite-size part of τ*(L; m, K) divided out, as the threshold figure reads it back.
        var exponent = StabilityLab.Plotting.Data.FitsFile.TryRead(_dir)!.Exponent!;
        Assert.That((bool)fits["threshold"]!["exponent"]!["finite_size_corrected"]!, Is.True);
        Assert.That(exponent.FiniteSizeCorrected, Is.True);
        Assert.That(exponent.Predicted.Keys.Order(), Is.EqualTo(new[] { 16, 32, 64, 128, 256, 512, 1024 }), "fitted depths and their midpoints");
        Assert.That(exponent.AlphaLo, Is.LessThanOrEqualTo(-0.5).And.Not.LessThan(-0.55), "−1/2 inside a tight interval");
        Assert.That(exponent.AlphaHi, Is.GreaterThanOrEqualTo(-0.5).And.Not.GreaterThan(-0.45));
        var slope = (double)fits["converse"]![0]!["fit"]!["slope"]!;
        Assert.That(slope, Is.InRange(0.3, 0.5));
        // The headline now names every outcome ("… 0 FAIL …"), so "no FAIL in the output" is read from the verdicts themselves.
        Assert.That(fits["verdicts"]!.AsArray().Select(v => (string)v!["verdict"]!), Is.Not.Empty.And.All.EqualTo("PASS"), stdout);
        Assert.That(stdout, Does.Contain(" 0 FAIL · 0 INCONCLUSIVE"));
    }

    [Test]
    public void FitAboveEveryDepthListsTheChecksItCannotComputeAsInconclusiveAndExits3()
    {
        var (code, stdout, err) = Cli("fit", _dir, "--resamples", "100", "--min-depth", "100000");
        try
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitInconclusive), stdout + err);
            var fits = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "fits.json")))!;
            var verdicts = fits["verdicts"]!.AsArray().Select(v => (Claim: (string)v!["claim"]!, Verdict: (string)v["verdict"]!,
                Reason: (string?)v["reason"], Pass: (bool)v["pass"]!)).ToList();
            var dropped = verdicts.Where(v => v.Verdict == "INCONCLUSIVE").ToList();
            // The three checks that fit over depths ≥ --min-depth: threshold law, converse slope, growth slope.
            Assert.That(dropped.Select(v => v.Claim), Has.Some.StartsWith("sharp threshold")
                .And.Some.StartsWith("converse")
                .And.Some.StartsWith("stability: no growth"));
            Assert.That(dropped.Select(v => v.Reason), Has.All.Contains("100000"));
            Assert.That(dropped.Select(v => v.Pass), Has.All.False);
            // Checks that do not depend on --min-depth still run and pass.
            Assert.That(verdicts.Where(v => v.Verdict != "INCONCLUSIVE").Select(v => v.Verdict), Is.Not.Empty.And.All.EqualTo("PASS"));
            int pass = verdicts.Count(v => v.Verdict == "PASS");
            Assert.That(stdout, Does.Contain($"{pass} PASS · 0 FAIL · {dropped.Count} INCONCLUSIVE"));
            foreach (var v in dropped) Assert.That(stdout, Does.Contain($"INCONCLUSIVE: {v.Claim}: {v.Reason}"));
        }
        finally
        {
            Cli("fit", _dir, "--resamples", "100"); // leave the directory's fits.json as the default fit wrote it
        }
    }

    [Test]
    public void VerifyConverseWithTooFewDepthsIsInconclusiveNotBadInput()
    {
        var (code, stdout, err) = Cli("verify", _dir, "--bound", "converse", "--min-depth", "100000");
        Assert.That(code, Is.EqualTo(CliApp.ExitInconclusive), stdout + err);
        Assert.That(stdout, Does.Contain("fewer than 3 depths ≥ 100000"));
        Assert.That(stdout.TrimEnd(), Does.EndWith("INCONCLUSIVE"));
    }

    [Test]
    public void VerifyExitCodesFollowTheData()
    {
        Assert.That(Cli("verify", _dir, "--bound", "first-moment").Code, Is.EqualTo(0));
        Assert.That(Cli("verify", _dir, "--bound", "converse").Code, Is.EqualTo(0));
        Assert.That(Cli("verify", _dir, "--bound", "bounded", "--constant", "1", "--level", "10", "--delta", "0.05").Code, Is.EqualTo(0));
        // A bound far too tight: every trial at τ ≤ 1/√L exceeds ‖h‖/‖h_0‖ = 1.2 somewhere.
        var (code, stdout, _) = Cli("verify", _dir, "--bound", "bounded", "--constant", "1", "--level", "1.2", "--delta", "0.05");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stdout, Does.Contain("CONTRADICTED"));
        var bad = Cli("verify", _dir, "--bound", "nonsense");
        Assert.That(bad.Code, Is.EqualTo(2));
        Assert.That(bad.Err.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(Cli("verify", Path.Combine(_dir, "missing"), "--bound", "first-moment").Code, Is.EqualTo(2));
    }
}

/// <summary>A rule's meaning decides the analysis: τ = L^-0.5 is analysed exactly like τ = 1/sqrt(L).</summary>
public class RuleMeaningAnalysisTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("rule-meaning-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private System.Text.Json.Nodes.JsonNode SweepAndFit(string tau)
    {
        var dir = Path.Combine(_root, tau.Replace('/', '_').Replace('^', '_'));
        var (code, _, err) = CliHarness.Run("sweep", "--out", dir, "--width", "32", "--depth", "4,8,16,32", "--trials", "64",
            "--bootstrap", "50", "--tau", tau);
        Assert.That(code, Is.EqualTo(0), err);
        (code, var stdout, err) = CliHarness.Run("fit", dir, "--min-depth", "4");
        Assert.That(code, Is.AnyOf(CliApp.ExitOk, CliApp.ExitContradiction, CliApp.ExitInconclusive), stdout + err);
        return System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "fits.json")))!;
    }

    [Test]
    public void PowerLawWrittenDifferentlyGetsTheSameAnalysis()
    {
        var sqrt = SweepAndFit("1/sqrt(L)");
        var power = SweepAndFit("L^-0.5");
        string[] Verdicts(System.Text.Json.Nodes.JsonNode f) =>
            f["verdicts"]!.AsArray().Select(v => $"{v!["claim"]} | {v["test"]} | {v["outcome"]}").ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(Verdicts(sqrt), Has.Some.Contains("stability"), "1/sqrt(L) gets the a/√L stability checks");
            Assert.That(Verdicts(power), Is.EqualTo(Verdicts(sqrt)), "the same checks, the same outcomes");
            Assert.That(power["stability"]!.AsArray().Select(s => (double)s!["a"]!),
                Is.EqualTo(sqrt["stability"]!.AsArray().Select(s => (double)s!["a"]!)).Within(1e-12));
            // The same draws at τ equal to the last bit or nearly: the measured maxima agree far inside their intervals.
            Assert.That(power["stability"]!.AsArray().Select(s => (double)s!["max_log_mean_ratio"]!),
                Is.EqualTo(sqrt["stability"]!.AsArray().Select(s => (double)s!["max_log_mean_ratio"]!)).Within(1e-9));
        });
    }
}
