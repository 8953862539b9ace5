using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;
using StabilityLab.Cli;
using StabilityLab.Output;
using StabilityLab.Tables;

namespace StabilityLab.Tests.Cli;

/// <summary>
/// The CLI contract: bad input exits 2 with exactly one line on stderr naming the problem and nothing on
/// stdout; a good `sample --json` prints one JSON object keyed by the cells.csv columns, deterministically
/// and independently of the thread count.
/// </summary>
[TestFixture]
public sealed class CliInputTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    // Small and fast: the defaults are width 512, depth 100, 4000 trials.
    private static readonly string[] Small = ["sample", "--width", "64", "--depth", "10", "--trials", "50", "--seed", "3", "--json"];

    private static IEnumerable<TestCaseData> BadInputs()
    {
        TestCaseData Case(string name, string[] args, params string[] anyOf) =>
            new TestCaseData(args, anyOf).SetName("bad input: " + name);
        yield return Case("depth -3", ["sample", "--depth", "-3"], "depth");
        yield return Case("depth 0", ["sample", "--depth", "0"], "depth");
        yield return Case("width 0", ["sample", "--width", "0"], "width");
        yield return Case("tau -0.1", ["sample", "--tau", "-0.1"], "τ", "tau");
        yield return Case("tau 0", ["sample", "--tau", "0"], "τ", "tau");
        yield return Case("tau NaN", ["sample", "--tau", "NaN"], "τ", "tau");
        yield return Case("tau 1/", ["sample", "--tau", "1/"], "τ", "tau");
        yield return Case("tau foo(L)", ["sample", "--tau", "foo(L)"], "foo");
        yield return Case("block res4", ["sample", "--block", "res4"], "block");
        yield return Case("activation gelu", ["sample", "--activation", "gelu"], "activation");
        yield return Case("weights cauchy", ["sample", "--weights", "cauchy"], "weight");
        yield return Case("trials 0", ["sample", "--trials", "0"], "trials");
        yield return Case("trials -1", ["sample", "--trials", "-1"], "trials");
        yield return Case("threads -1", ["sample", "--threads", "-1"], "threads");
        yield return Case("blowup-level 1", ["sample", "--blowup-level", "1"], "blowup");
        yield return Case("sampler foo", ["sample", "--sampler", "foo"], "sampler");
        yield return Case("width abc", ["sample", "--width", "abc"], "width");
        yield return Case("seed -1", ["sample", "--seed", "-1"], "seed");
        yield return Case("input-dim 0", ["sample", "--input-dim", "0"], "input");
        yield return Case("unknown option", ["sample", "--frobnicate", "7"], "frobnicate");
        yield return Case("unknown command", ["frobnicate"], "frobnicate");
        yield return Case("uniform weights with exact sampler", ["sample", "--weights", "uniform", "--sampler", "exact"], "gaussian", "exact");
    }

    [TestCaseSource(nameof(BadInputs))]
    public void BadInputExitsTwoWithOneLineNamingTheProblem(string[] args, string[] anyOf)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), $"exit code; stderr: {stderr}");
            Assert.That(stdout, Is.Empty, "nothing on stdout");
            Assert.That(stderr, Does.Match(@"^[^\r\n]*\S[^\r\n]*\r?\n$"), "exactly one non-empty line on stderr");
            Assert.That(anyOf.Any(w => stderr.Contains(w, StringComparison.OrdinalIgnoreCase)), Is.True,
                $"stderr '{stderr.TrimEnd()}' should name one of: {string.Join(", ", anyOf)}");
        });
    }

    [Test]
    public void SampleJsonHasExactlyTheCellColumnsInOrder()
    {
        var (code, stdout, stderr) = Run(Small);
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.That(root.ValueKind, Is.EqualTo(JsonValueKind.Object));
        var keys = root.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.That(keys, Is.EqualTo(CellsTable.Names).AsCollection);

        var numeric = keys.Where(k => k is "width" or "depth" or "tau" or "trials" or "seed"
            || k.StartsWith("fwd_", StringComparison.Ordinal) && k != "fwd_log_mean_sq_method" || k.StartsWith("bwd_", StringComparison.Ordinal)
            || k.StartsWith("blowup", StringComparison.Ordinal)).ToArray();
        Assert.That(numeric, Has.Length.GreaterThanOrEqualTo(5 + 11), "the numeric columns are present");
        Assert.Multiple(() =>
        {
            foreach (var k in numeric)
                Assert.That(root.GetProperty(k).ValueKind, Is.EqualTo(JsonValueKind.Number), $"{k} must be a JSON number");
            Assert.That(root.GetProperty("width").GetInt32(), Is.EqualTo(64));
            Assert.That(root.GetProperty("depth").GetInt32(), Is.EqualTo(10));
            Assert.That(root.GetProperty("trials").GetInt32(), Is.EqualTo(50));
            Assert.That(root.GetProperty("seed").GetUInt64(), Is.EqualTo(3UL));
            Assert.That(root.GetProperty("tau").GetDouble(), Is.EqualTo(1 / Math.Sqrt(10)).Within(4).Ulps);
            Assert.That(root.GetProperty("block").GetString(), Is.EqualTo("post"));
            Assert.That(root.GetProperty("sampler").GetString(), Is.EqualTo("exact"));
            double frac = root.GetProperty("blowup_frac").GetDouble();
            Assert.That(frac, Is.InRange(0.0, 1.0));
        });
    }

    [Test]
    public void SampleIsDeterministic()
    {
        var first = Run(Small);
        var second = Run(Small);
        Assert.That(first.Code, Is.EqualTo(CliApp.ExitOk), first.Err);
        Assert.That(second.Out, Is.EqualTo(first.Out));
    }

    [Test]
    public void SampleDoesNotDependOnThreadCount()
    {
        var one = Run([.. Small, "--threads", "1"]);
        var two = Run([.. Small, "--threads", "2"]);
        var four = Run([.. Small, "--threads", "4"]);
        Assert.That(one.Code, Is.EqualTo(CliApp.ExitOk), one.Err);
        Assert.Multiple(() =>
        {
            Assert.That(two.Out, Is.EqualTo(one.Out), "--threads 2 vs --threads 1");
            Assert.That(four.Out, Is.EqualTo(one.Out), "--threads 4 vs --threads 1");
        });
    }

    [Test]
    public void DifferentSeedsGiveDifferentResults()
    {
        var a = Run(Small);
        var b = Run("sample", "--width", "64", "--depth", "10", "--trials", "50", "--seed", "4", "--json");
        Assert.That(b.Code, Is.EqualTo(CliApp.ExitOk), b.Err);
        Assert.That(b.Out, Is.Not.EqualTo(a.Out));
    }

    [Test]
    public void PlainOutputListsTheColumns()
    {
        var (code, stdout, stderr) = Run("sample", "--width", "32", "--depth", "5", "--trials", "20");
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines.Select(l => l.Split(' ', 2)[0]), Is.EqualTo(CellsTable.Names).AsCollection);
    }

    [Test]
    public void VersionPrintsAVersion()
    {
        var (code, stdout, stderr) = Run("--version");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
            Assert.That(stdout, Does.Match(@"\d+\.\d+\.\d+"), "--version must print the version to the given stdout writer");
            Assert.That(stderr, Is.Empty);
        });
    }

    [Test]
    public void HelpMentionsSample()
    {
        var (code, stdout, stderr) = Run("--help");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
            Assert.That(stdout, Does.Contain("sample"), "--help must print to the given stdout writer");
            Assert.That(stderr, Is.Empty);
        });
    }

    [Test]
    public void SampleHelpListsItsOptions()
    {
        var (code, stdout, _) = Run("sample", "--help");
        Assert.That(code, Is.EqualTo(CliApp.ExitOk));
        foreach (var opt in new[] { "--width", "--depth", "--tau", "--block", "--trials", "--seed", "--sampler", "--json" })
            Assert.That(stdout, Does.Contain(opt));
    }

    [Test]
    public void ErrorLineIsPrefixedWithTheProgramName()
    {
        var (_, _, stderr) = Run("sample", "--depth", "0");
        Assert.That(Regex.IsMatch(stderr, "^stabilitylab: "), Is.True, stderr);
    }
}

/// <summary>A full disk is named as such (exit 74), not reported as an internal error.</summary>
public class DiskFullTests
{
    [Test]
    public void AWriteToAFullDeviceIsRecognizedEvenWhenWrapped()
    {
        if (!File.Exists("/dev/full")) Assert.Ignore("needs Linux's /dev/full, which fails every write with ENOSPC");
        IOException? caught = null;
        try { File.WriteAllText("/dev/full", new string('x', 1 << 16)); }
        catch (IOException e) { caught = e; }
        Assert.That(caught, Is.Not.Null, "writing to /dev/full must fail");
        Assert.That(StabilityLab.Cli.CliApp.DiskFull(caught!), Is.SameAs(caught));
        Assert.That(StabilityLab.Cli.CliApp.DiskFull(new AggregateException(new InvalidOperationException("x", caught))), Is.SameAs(caught));
        Assert.That(StabilityLab.Cli.CliApp.DiskFull(new IOException("file is locked")), Is.Null);
    }
}
