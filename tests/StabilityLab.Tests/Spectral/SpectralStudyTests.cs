using StabilityLab.Cli;
using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Spectral;

namespace StabilityLab.Tests.Spectral;

/// <summary>The spectral study as a library type: the `spectrum` command is a thin layer over it (same files, same table).</summary>
[TestFixture]
public sealed class SpectralStudyTests
{
    private int _threads;
    private string _root = "";

    // The study sets libtorch's process-wide thread count: put it back for the other tests.
    [SetUp]
    public void SetUp()
    {
        _threads = TorchSharp.torch.get_num_threads();
        _root = Path.Combine(Path.GetTempPath(), "sl-spectral-study-" + Guid.NewGuid().ToString("N"));
    }

    [TearDown]
    public void TearDown()
    {
        TorchSharp.torch.set_num_threads(_threads);
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Test]
    public void TheCommandWritesWhatTheStudyWrites()
    {
        int[] depths = [3, 6];
        TauRule[] rules = [TauRule.Parse("1/sqrt(L)"), TauRule.Parse("L^-0.25")];
        var spec = new SpectralStudySpec(SpectralStudySpec.Grid(12, depths, rules), depths, rules, Trials: 3, Seed: 5, Inputs: 4,
            GramPath.Dense, PairSelection.Auto, OperatorNorm.DefaultTolerance, OperatorNorm.DefaultMaxSteps, Svd: false, Raw: true, MemoryBytes: 1024L << 20);
        long done = 0;
        var lines = new List<string>();
        var result = SpectralStudy.Run(spec, Path.Combine(_root, "study"), threads: 1, progress: n => done += n, log: lines.Add);

        var (code, stdout, stderr) = CliHarness.Run("spectrum", "--width", "12", "--depth", "3,6", "--tau", "1/sqrt(L)", "--tau", "L^-0.25",
            "--trials", "3", "--inputs", "4", "--seed", "5", "--threads", "1", "--raw", "--out", Path.Combine(_root, "cli"));
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
        Assert.Multiple(() =>
        {
            Assert.That(result.Cells, Has.Count.EqualTo(depths.Length * rules.Length));
            Assert.That(done, Is.EqualTo(SpectralStudy.Work(spec)), "progress adds up to the work");
            Assert.That(lines, Has.Count.EqualTo(1), "one line describing the study (no network died)");
            foreach (var file in new[] { SpectraTable.FileName, SpectralStudy.TrialsFile })
                Assert.That(File.ReadAllText(Path.Combine(_root, "cli", file)), Is.EqualTo(File.ReadAllText(Path.Combine(_root, "study", file))), file);
            // The table's last column is the cell's time: compare the rest.
            static string[] Untimed(IEnumerable<string> table) => table.Select(l => l.TrimEnd()[..l.TrimEnd().LastIndexOf(' ')]).ToArray();
            Assert.That(Untimed(stdout.TrimEnd('\n').Split('\n')), Is.EqualTo(Untimed(result.Table())));
        });
    }
}
