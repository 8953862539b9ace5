using System.Text.Json.Nodes;
using StabilityLab.Cli.Commands;

namespace StabilityLab.Tests.Cli;

/// <summary>
/// `stabilitylab theory`: its JSON keys are the cells.csv names (and _inf), uncovered blocks exit 2, res1/res3 are
/// predicted with the statistics they do not cover as null (JSON) and "not predicted" (text), output is deterministic.
/// </summary>
public class TheoryCommandTests
{
    [Test]
    public void JsonKeysAreTheStatisticNamesTheirInfiniteWidthTwinsRegimeAndTauStar()
    {
        var (code, stdout, err) = CliHarness.Run("theory", "--width", "64", "--depth", "16", "--tau", "1/sqrt(L)", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        var o = JsonNode.Parse(stdout)!.AsObject();
        Assert.That(o.Select(p => p.Key), Is.EqualTo(TheoryCommand.JsonNames));
        string[] statistics = ["fwd_log_sq_mean", "fwd_log_sq_sd", "fwd_log_sq_q05", "fwd_log_sq_q50", "fwd_log_sq_q95", "fwd_log_mean_sq",
            "bwd_log_sq_mean", "bwd_log_sq_sd", "blowup_frac"];
        foreach (var s in statistics)
        {
            Assert.That(o.ContainsKey(s) && o.ContainsKey(s + "_inf"), s);
            Assert.That(global::StabilityLab.Tables.CellsTable.Names, Does.Contain(s));
        }
        Assert.That((string)o["regime"]!, Is.EqualTo("inside"));
        // τ* at m = 64, K = 10, L = 16 lies above the large-depth limit √(log K/(1 − 2/m))/√L (docs/finite-width.md §7).
        Assert.That((double)o["tau_star"]!, Is.GreaterThan(Math.Sqrt(Math.Log(10) / (1 - 2.0 / 64)) / 4));
        Assert.That((double)o["fwd_log_sq_sd_inf"]!, Is.EqualTo(0));
    }

    [TestCase("--activation", "tanh")]
    [TestCase("--block", "res7")]
    public void UnsupportedBlockOrActivationIsOneLineAndExitTwo(string option, string value)
    {
        var (code, stdout, err) = CliHarness.Run("theory", "--width", "64", "--depth", "16", option, value);
        Assert.That(code, Is.EqualTo(2), err);
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(stdout, Is.Empty);
    }

    [Test]
    public void OutputIsDeterministicAndTheTextTableNamesEveryStatistic()
    {
        string[] args = ["theory", "--width", "64", "--depth", "32", "--tau", "0.2", "--tau-star", "no"];
        var first = CliHarness.Run(args);
        var second = CliHarness.Run(args);
        Assert.That(first.Code, Is.EqualTo(0), first.Err);
        Assert.That(second.Out, Is.EqualTo(first.Out));
        foreach (var s in TheoryCommand.StatisticNames) Assert.That(first.Out, Does.Contain(s));
        Assert.That(first.Out, Does.Contain("regime").And.Contain("tau_star"));
        var json = CliHarness.Run([.. args, "--json"]);
        Assert.That(JsonNode.Parse(json.Out)!.AsObject().ContainsKey("tau_star"), Is.False);
    }
    [Test]
    public void Res1AndRes3ArePredictedAndWhatIsNotPredictedIsNullNeverNaN()
    {
        var (code, stdout, err) = CliHarness.Run("theory", "--block", "res1", "--width", "64", "--depth", "16", "--tau", "1/sqrt(L)", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Not.Contain("NaN"));
        var o = JsonNode.Parse(stdout)!.AsObject();
        Assert.That((string)o["block"]!, Is.EqualTo("res1"));
        Assert.That((double)o["fwd_log_sq_sd"]!, Is.GreaterThan(0));
        // res1's backward ratio is predicted (docs/finite-width.md §11); τ* is the post block's.
        Assert.That((double)o["bwd_log_sq_sd"]!, Is.GreaterThan(0));
        Assert.That(o.ContainsKey("tau_star"), Is.False);
        // Where Q_L > e^150 the res1 backward ratio is not predicted: null, never NaN.
        (code, stdout, err) = CliHarness.Run("theory", "--block", "res1", "--width", "64", "--depth", "256", "--tau", "1", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Not.Contain("NaN"));
        o = JsonNode.Parse(stdout)!.AsObject();
        Assert.That(o["bwd_log_sq_mean"], Is.Null);
        Assert.That(o["bwd_log_sq_sd_inf"], Is.Null);

        (code, stdout, err) = CliHarness.Run("theory", "--block", "res3", "--width", "64", "--depth", "16", "--tau", "0.5", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        o = JsonNode.Parse(stdout)!.AsObject();
        Assert.That((double)o["bwd_log_sq_sd"]!, Is.GreaterThan(0));
        Assert.That((string)o["regime"]!, Is.EqualTo("inside"));

        (code, stdout, err) = CliHarness.Run("theory", "--block", "res1", "--width", "64", "--depth", "256", "--tau", "1");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("res1/relu").And.Contain("not predicted").And.Not.Contain("NaN"));
    }

    [Test]
    public void Res1WithTanhIsOneLineAndExitTwo()
    {
        var (code, stdout, err) = CliHarness.Run("theory", "--block", "res1", "--activation", "tanh", "--width", "64", "--depth", "16");
        Assert.That(code, Is.EqualTo(2), err);
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(stdout, Is.Empty);
    }
}
