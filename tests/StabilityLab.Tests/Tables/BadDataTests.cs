using StabilityLab.Cli;
using StabilityLab.Sweeps;

namespace StabilityLab.Tests.Tables;

/// <summary>Data are checked where they are read: a damaged sweep file stops fit, verify, plot and merge with exit 2 naming the file and line.</summary>
public class BadDataTests
{
    private string _root = "";
    private string _good = "";
    private string[] _shards = [];

    private static SweepSpec Spec() => new()
    {
        Widths = [16],
        Depths = [4, 16],
        Taus = [new TauGridEntry("1/sqrt(L)"), new TauGridEntry("1")],
        Trials = 40,
        Seed = 3,
        TraceDepths = [4],
        Raw = true,
    };

    [OneTimeSetUp]
    public void MakeSweeps()
    {
        _root = Directory.CreateTempSubdirectory("bad-data-").FullName;
        _good = Path.Combine(_root, "good");
        SweepRunner.Run(Spec(), new SweepRunOptions(_good));
        _shards = [Path.Combine(_root, "s0"), Path.Combine(_root, "s1")];
        for (int i = 0; i < 2; i++) SweepRunner.Run(Spec(), new SweepRunOptions(_shards[i], Shard: new ShardSpec(i, 2)));
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    /// <summary>A copy of <paramref name="source"/> with one field of one line of one file replaced.</summary>
    private string Damaged(string source, string file, int line, string column, string value)
    {
        var dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(source)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        var lines = File.ReadAllLines(Path.Combine(dir, file)).ToList();
        int col = Array.IndexOf(lines[0].Split(','), column);
        Assert.That(col, Is.GreaterThanOrEqualTo(0), column);
        var fields = lines[line - 1].Split(',');
        fields[col] = value;
        lines[line - 1] = string.Join(',', fields);
        File.WriteAllLines(Path.Combine(dir, file), lines);
        return dir;
    }

    private static string[] Command(string name, string dir) => name switch
    {
        "fit" => ["fit", dir],
        "verify" => ["verify", dir, "--bound", "first-moment"],
        "plot" => ["plot", dir, "--format", "svg", "--out", Path.Combine(dir, "figs")],
        _ => throw new ArgumentException(name),
    };

    private static void AssertBadInput(string[] args, string mentions)
    {
        var (code, _, err) = CliHarness.Run(args);
        Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), err);
        Assert.That(err, Does.Contain(mentions));
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), err);
    }

    public static IEnumerable<TestCaseData> FieldCases()
    {
        foreach (var cmd in new[] { "fit", "verify", "plot" })
        {
            yield return new TestCaseData(cmd, "cells.csv", 3, "fwd_log_sq_sd", "NaN", "cells.csv line 3: column fwd_log_sq_sd is NaN");
            yield return new TestCaseData(cmd, "cells.csv", 2, "fwd_log_mean_sq", "Infinity", "cells.csv line 2: column fwd_log_mean_sq is +infinite");
            yield return new TestCaseData(cmd, "cells.csv", 4, "blowup_frac", "1.5", "cells.csv line 4: column blowup_frac is 1.5, outside [0, 1]");
            yield return new TestCaseData(cmd, "cells.csv", 5, "trials", "-3", "cells.csv line 5: column trials is -3");
            yield return new TestCaseData(cmd, "cells.csv", 2, "width", "0", "cells.csv line 2: column width is 0");
            yield return new TestCaseData(cmd, "cells.csv", 3, "fwd_ratio_khat", "NaN", "cells.csv line 3: column fwd_ratio_khat is NaN");
            yield return new TestCaseData(cmd, "cells.csv", 3, "bwd_log_sq_q50", "", "cells.csv line 3: column bwd_log_sq_q50 is empty");
        }
        yield return new TestCaseData("fit", "raw.csv", 7, "fwd_log_sq", "NaN", "raw.csv line 7: column fwd_log_sq is NaN");
        yield return new TestCaseData("plot", "traces.csv", 3, "fwd_log_sq_q50", "-Infinity", "traces.csv line 3: column fwd_log_sq_q50 is -infinite");
    }

    [TestCaseSource(nameof(FieldCases))]
    public void ABadFieldIsExitTwoNamingFileLineAndColumn(string cmd, string file, int line, string column, string value, string mentions) =>
        AssertBadInput(Command(cmd, Damaged(_good, file, line, column, value)), mentions);

    [TestCase("fit")]
    [TestCase("verify")]
    [TestCase("plot")]
    public void ARepeatedOrCutRowIsExitTwo(string cmd)
    {
        var dup = Damaged(_good, "cells.csv", 1, "block", "block");
        File.AppendAllLines(Path.Combine(dup, "cells.csv"), [File.ReadAllLines(Path.Combine(dup, "cells.csv"))[2]]);
        AssertBadInput(Command(cmd, dup), "cells.csv line 6: the cell of line 3 appears again");

        var cut = Damaged(_good, "cells.csv", 1, "block", "block");
        var lines = File.ReadAllLines(Path.Combine(cut, "cells.csv"));
        lines[3] = lines[3][..lines[3].LastIndexOf(',')];
        File.WriteAllLines(Path.Combine(cut, "cells.csv"), lines);
        AssertBadInput(Command(cmd, cut), "cells.csv line 4:");

        var lost = Damaged(_good, "cells.csv", 1, "block", "block");
        File.WriteAllLines(Path.Combine(lost, "cells.csv"), File.ReadAllLines(Path.Combine(lost, "cells.csv")).SkipLast(1));
        AssertBadInput(Command(cmd, lost), "a row is missing");
    }

    [Test]
    public void AMissingRawRowIsExitTwo()
    {
        var dir = Damaged(_good, "raw.csv", 1, "cell", "cell");
        var lines = File.ReadAllLines(Path.Combine(dir, "raw.csv")).ToList();
        lines.RemoveAt(10);
        File.WriteAllLines(Path.Combine(dir, "raw.csv"), lines);
        AssertBadInput(Command("fit", dir), "raw.csv: cell 0, trial 9 is missing");
    }

    [Test]
    public void MergeChecksEveryShardFile()
    {
        var (code, _, err) = CliHarness.Run(["merge", .. _shards, "--out", Path.Combine(_root, "merged-good")]);
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), err);
        string[][] cases =
        [
            ["cells.csv", "2", "fwd_log_sq_mean", "NaN", "cells.csv line 2: column fwd_log_sq_mean is NaN"],
            ["cells.csv", "3", "dead_trials", "-1", "cells.csv line 3: column dead_trials is -1"],
            ["raw.csv", "4", "bwd_log_sq", "nope", "raw.csv line 4: column bwd_log_sq is not a number"],
            ["traces.csv", "2", "wgrad_log_sq_mean", "NaN", "traces.csv line 2: column wgrad_log_sq_mean is NaN"],
        ];
        foreach (var c in cases)
        {
            var bad = Damaged(_shards[1], c[0], int.Parse(c[1]), c[2], c[3]);
            AssertBadInput(["merge", _shards[0], bad, "--out", Path.Combine(_root, Guid.NewGuid().ToString("N"))], c[4]);
        }
    }

    [Test]
    public void SpecFilesRejectUnknownKeysAndEmptySpecs()
    {
        var typo = Path.Combine(_root, "typo.json");
        File.WriteAllText(typo, """{"widths":[48],"trails":77}""");
        AssertBadInput(["sweep", "--spec", typo, "--out", Path.Combine(_root, "t1")], "unknown key 'trails'");
        var empty = Path.Combine(_root, "empty.json");
        File.WriteAllText(empty, "{}");
        AssertBadInput(["sweep", "--spec", empty, "--out", Path.Combine(_root, "t2")], "spec has no keys");
        Assert.That(SweepSpec.FromJsonFile(Path.Combine(_good, SweepManifest.FileName)).ToJson(), Is.EqualTo(Spec().ToJson()),
            "a manifest still serves as a spec");
    }
}
