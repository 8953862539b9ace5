using NUnit.Framework;
using StabilityLab.Cli;
using StabilityLab.Cli.Options;

namespace StabilityLab.Tests.Cli;

/// <summary>
/// Options are checked by the parser's validators, the same way on every command that takes them: a bad value
/// exits 2 with one line naming the option, before any work starts (no output directory appears).
/// </summary>
[TestFixture]
public sealed class CliOptionValidationTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Path.Combine(Path.GetTempPath(), "stabilitylab-options-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>Each command that takes --threads, with the arguments it needs to get that far; OUT stands for a fresh output directory.</summary>
    private static readonly string[][] ThreadCommands =
    [
        ["sample"],
        ["sweep", "--out", "OUT"],
        ["spectrum", "--out", "OUT"],
        ["train", "--out", "OUT"],
        ["train", "bench"],
        ["bench"],
        ["reproduce", "--out", "OUT"],
    ];

    private static IEnumerable<TestCaseData> ThreadCases() =>
        ThreadCommands.SelectMany(c => new[] { "-1", "5000" }.Select(v =>
            new TestCaseData((string[])[.. c, "--threads", v], "--threads").SetName($"{string.Join(" ", c.Where(a => a != "--out" && a != "OUT"))} --threads {v}")));

    private static IEnumerable<TestCaseData> ValueCases()
    {
        TestCaseData Case(string option, params string[] args) =>
            new TestCaseData(args, option).SetName(string.Join(" ", args.Where(a => a != "--out" && a != "OUT")));
        foreach (var cmd in new[] { new[] { "sample" }, ["sweep", "--out", "OUT"], ["spectrum", "--out", "OUT"], ["train", "--out", "OUT"] })
        {
            yield return Case("--width", [.. cmd, "--width", "0"]);
            yield return Case("--depth", [.. cmd, "--depth", "-3"]);
            yield return Case("--tau", [.. cmd, "--tau", "-1"]);
            yield return Case("--tau", [.. cmd, "--tau", "0"]);
            yield return Case("--tau", [.. cmd, "--tau", "nan"]);
            yield return Case("--input-dim", [.. cmd, "--input-dim", "0"]);
        }
        foreach (var cmd in new[] { new[] { "sample" }, ["sweep", "--out", "OUT"], ["spectrum", "--out", "OUT"] })
            yield return Case("--trials", [.. cmd, "--trials", "0"]);
        foreach (var cmd in new[] { new[] { "sample" }, ["sweep", "--out", "OUT"] })
        {
            yield return Case("--blowup-level", [.. cmd, "--blowup-level", "0.5"]);
            yield return Case("--blowup-level", [.. cmd, "--blowup-level", "NaN"]);
        }
        yield return Case("--blowup-level", "fit", "OUT", "--blowup-level", "0.5");
        yield return Case("--bootstrap", "sweep", "--out", "OUT", "--bootstrap", "-1");
        // τ positive at small depths but not at the chosen one: the check sees τ and depth together.
        yield return Case("--tau", "sample", "--tau", "1-L/10", "--depth", "20");
        yield return Case("--tau", "sweep", "--out", "OUT", "--tau", "1-L/10", "--depth", "4,16");
        yield return Case("--tau", "train", "--out", "OUT", "--tau", "1-L/10", "--depth", "4,16");
        yield return Case("--tau", "sweep", "--out", "OUT", "--tau", "L^-beta");
        yield return Case("--shard", "sweep", "--out", "OUT", "--shard", "3/2");
        yield return Case("--memory-mib", "spectrum", "--out", "OUT", "--memory-mib", "1");
        yield return Case("--pairs", "spectrum", "--out", "OUT", "--pairs", "some");
        yield return Case("--repeats", "bench", "--repeats", "0");
        yield return Case("--svd", "spectrum", "--out", "OUT", "--svd", "--width", "2000");
        yield return Case("--out", "sweep", "--out", " ");
    }

    [TestCaseSource(nameof(ThreadCases))]
    [TestCaseSource(nameof(ValueCases))]
    public void BadValueExitsTwoWithOneLineNamingTheOptionAndWritesNothing(string[] args, string option)
    {
        string outDir = Path.Combine(_root, "out");
        var (code, stdout, stderr) = CliHarness.Run(args.Select(a => a == "OUT" ? outDir : a).ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), $"exit code; stderr: {stderr}");
            Assert.That(stdout, Is.Empty, "nothing on stdout");
            Assert.That(stderr, Does.Match(@"^stabilitylab: [^\r\n]*\r?\n$"), "exactly one line on stderr");
            Assert.That(stderr, Does.Contain(option), "the line names the option");
            Assert.That(Directory.Exists(outDir), Is.False, "no output directory is created");
        });
    }

    [Test]
    public void ThreadLimitIsAcceptedAndOneAboveItIsNot()
    {
        // Only parsing is exercised: a bad --blowup-level (declared after --threads, so its error would come second)
        // stops the command at validation instead of starting thousands of threads.
        var ok = CliHarness.Run("sample", "--threads", ThreadsOption.MaxThreads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--blowup-level", "0.5");
        var over = CliHarness.Run("sample", "--threads", (ThreadsOption.MaxThreads + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Multiple(() =>
        {
            Assert.That(ok.Err, Does.Not.Contain("--threads"), "the limit itself is accepted");
            Assert.That(ok.Err, Does.Contain("--blowup-level"), "the other bad value is reported");
            Assert.That(over.Err, Does.Contain("--threads"));
        });
    }

    [Test]
    public void OutputPathThatIsAFileIsRejected()
    {
        Directory.CreateDirectory(_root);
        string file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");
        var (code, _, stderr) = CliHarness.Run("sweep", "--out", file, "--width", "8", "--depth", "2", "--trials", "2");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
            Assert.That(stderr, Does.Contain("--out"));
        });
    }

    [Test]
    public void EveryTrialDyingIsBadInputNotAnInternalError()
    {
        // Width 1 with τ = 10: a ReLU unit dies at a layer with probability ≈ 0.47, so all 100 layers never survive.
        var (code, stdout, stderr) = CliHarness.Run("sample", "--width", "1", "--depth", "100", "--tau", "10", "--trials", "20");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr, Does.Match(@"^stabilitylab: [^\r\n]*width[^\r\n]*\r?\n$"));
        });
    }
}
