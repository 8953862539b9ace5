using System.Text.RegularExpressions;

namespace StabilityLab.Tests.Cli;

/// <summary>
/// docs/bad-input.md is a contract: every row's command, run from the repository root, exits 2 with exactly the one
/// line of standard error the table gives, writes nothing on standard output, and creates no output directory.
/// </summary>
public class BadInputDocTests
{
    private static string Doc => Path.Combine(TestPaths.RepoRoot, "docs", "bad-input.md");

    public static IEnumerable<TestCaseData> Rows()
    {
        var row = new Regex(@"^\| `stabilitylab (?<cmd>[^`]+)` \| `(?<err>.+)` \|$");
        foreach (var line in File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "docs", "bad-input.md")))
            if (row.Match(line) is { Success: true } m)
                yield return new TestCaseData(m.Groups["cmd"].Value, m.Groups["err"].Value.Replace("\\|", "|")).SetName("docs/bad-input.md: " + m.Groups["cmd"].Value);
    }

    [Test]
    public void TheTableHasRows() => Assert.That(Rows().Count(), Is.GreaterThanOrEqualTo(15), Doc);

    [TestCaseSource(nameof(Rows))]
    public void EachRowIsWhatTheToolSays(string command, string expected)
    {
        // Paths under the repository are given as written in the table and resolved from the repository root; the
        // tool names them back as given, so the message is compared with the root stripped.
        var args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => a.StartsWith("docs/", StringComparison.Ordinal) ? Path.Combine(TestPaths.RepoRoot, a) : a).ToArray();
        var outDir = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();
        if (outDir is not null && Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        var (code, stdout, stderr) = CliHarness.Run(args);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr.Replace(TestPaths.RepoRoot + Path.DirectorySeparatorChar, "").TrimEnd('\n', '\r'), Is.EqualTo(expected));
            if (outDir is not null) Assert.That(Directory.Exists(outDir), Is.False, "no output directory is created");
        });
    }
}
