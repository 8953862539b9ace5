using System.Text.Json;
using StabilityLab.Cli;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Training;

namespace StabilityLab.Tests.Training;

/// <summary>`stabilitylab train`: bad input exits 2 with one line; a small sweep writes its four files with no NaN,
/// and --resume keeps finished runs and trains only the missing ones, reproducing them exactly.</summary>
[TestFixture]
public sealed class TrainCommandTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Tiny.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    private static IEnumerable<TestCaseData> BadInputs()
    {
        TestCaseData Case(string name, string[] args, params string[] anyOf) => new TestCaseData(args, anyOf).SetName("train bad input: " + name);
        yield return Case("negative step size", ["train", "--lr", "-0.1"], "step size", "lr");
        yield return Case("zero step size", ["train", "--lr", "0"], "step size");
        yield return Case("step size abc", ["train", "--lr", "abc"], "--lr");
        yield return Case("unknown optimizer", ["train", "--optimizer", "adam"], "optimizer");
        yield return Case("missing data folder", ["train", "--dataset", "fashion-mnist", "--data", "/nonexistent/fashion"], "fashion-mnist", "apt-get");
        yield return Case("unknown dataset", ["train", "--dataset", "cifar"], "dataset");
        yield return Case("unknown targets", ["train", "--targets", "zero"], "targets");
        yield return Case("negative steps", ["train", "--steps", "-1"], "steps");
        yield return Case("depth 0", ["train", "--depth", "0"], "depth");
        yield return Case("tau 0", ["train", "--tau", "0"], "τ", "tau");
        yield return Case("unknown precision", ["train", "--precision", "float16"], "precision");
        yield return Case("unknown trained set", ["train", "--trainable", "biases"], "trained");
        yield return Case("batch size 0", ["train", "--optimizer", "sgd", "--batch-size", "0"], "batch");
        yield return Case("momentum 1", ["train", "--optimizer", "sgd", "--momentum", "1"], "momentum");
        yield return Case("threads -1", ["train", "--threads", "-1"], "threads");
        yield return Case("train size 0", ["train", "--train-size", "0"], "example");
        yield return Case("reduction foo", ["train", "--reduction", "foo"], "reduction");
        yield return Case("backward foo", ["train", "--backward", "foo"], "backward");
        yield return Case("fashion subset too large", ["train", "--dataset", "fashion-mnist", "--train-size", "70000"], "60000");
        yield return Case("bench width 0", ["train", "bench", "--width", "0"], "width");
        yield return Case("max-memory-mib 0", ["train", "--max-memory-mib", "0"], "max-memory-mib", "at least 1");
        yield return Case("a network larger than the machine", ["train", "--width", "60000", "--depth", "300"], "of memory");
        yield return Case("more than --max-memory-mib", ["train", "--width", "256", "--depth", "64", "--max-memory-mib", "1"], "of memory");
    }

    [TestCaseSource(nameof(BadInputs))]
    public void BadInputExitsTwoWithOneLine(string[] args, string[] anyOf)
    {
        string[] withOut = args.Contains("bench") ? args : [.. args, "--out", Path.Combine(Path.GetTempPath(), "stabilitylab-never-" + Guid.NewGuid().ToString("N"))];
        var (code, stdout, stderr) = Run(withOut);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), $"exit code; stderr: {stderr}");
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr, Does.Match(@"^[^\r\n]*\S[^\r\n]*\r?\n$"), "exactly one non-empty line on stderr");
            Assert.That(anyOf.Any(w => stderr.Contains(w, StringComparison.OrdinalIgnoreCase)), Is.True,
                $"stderr '{stderr.TrimEnd()}' should name one of: {string.Join(", ", anyOf)}");
        });
    }

    private string[] SmallSweep(string outDir) =>
    [
        "train", "--depth", "2,6", "--tau", "1/sqrt(L)", "1", "--seed", "1", "--lr", "5e-3", "--steps", "40", "--width", "16",
        "--train-size", "6", "--input-dim", "3", "--threads", "1", "--out", outDir,
    ];

    [Test]
    public void ASmallSweepWritesCurvesRunsFitsAndManifestAndResumes()
    {
        var outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = Run(SmallSweep(outDir));
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
        Assert.That(stdout, Does.Contain("tau = 1/sqrt(L)").And.Contain("verdict"));

        var curves = File.ReadAllLines(Path.Combine(outDir, TrainingStudy.CurvesFile));
        var runs = File.ReadAllLines(Path.Combine(outDir, TrainingStudy.RunsFile));
        Assert.Multiple(() =>
        {
            Assert.That(curves[0].Split(','), Is.EqualTo(TrainingStudy.CurveColumns));
            Assert.That(runs[0].Split(','), Is.EqualTo(TrainingStudy.RunColumns));
            Assert.That(runs, Has.Length.EqualTo(1 + 4), "2 depths × 2 τ rules");
            Assert.That(curves.Length, Is.GreaterThan(1 + 40));
            Assert.That(string.Join("\n", curves.Concat(runs)), Does.Not.Contain("NaN").And.Not.Contain("Infinity").And.Not.Contain("∞"));
        });
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, TrainingStudy.ManifestFile))))
        {
            var m = manifest.RootElement;
            Assert.That(m.GetProperty("status").GetString(), Is.EqualTo("complete"));
            Assert.That(m.GetProperty("version").GetString(), Does.Match(@"\d+\.\d+\.\d+"));
            Assert.That(m.GetProperty("settings").GetProperty("width").GetString(), Is.EqualTo("16"));
            Assert.That(m.GetProperty("grid").GetProperty("seeds")[0].GetUInt64(), Is.EqualTo(1UL));
            Assert.That(m.GetProperty("machine").GetProperty("cores").GetInt32(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(m.GetProperty("run_seconds").EnumerateObject().Count(), Is.EqualTo(4));
            Assert.That(DateTimeOffset.Parse(m.GetProperty("finished").GetString()!), Is.GreaterThanOrEqualTo(DateTimeOffset.Parse(m.GetProperty("started").GetString()!)));
        }
        using (var fits = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, TrainingStudy.FitsFile))))
            Assert.That(fits.RootElement.GetProperty("trends").GetArrayLength(), Is.EqualTo(2));

        // Without --resume an existing output is refused.
        var again = Run(SmallSweep(outDir));
        Assert.That(again.Code, Is.EqualTo(CliApp.ExitBadInput));
        Assert.That(again.Err, Does.Contain("--resume"));

        // Forget the last run (as if the sweep had been killed during it), then resume: only that run trains,
        // the others keep their rows, and the files come out identical.
        var runsPath = Path.Combine(outDir, TrainingStudy.RunsFile);
        File.WriteAllLines(runsPath, runs.Take(runs.Length - 1));
        var resumed = Run([.. SmallSweep(outDir), "--resume"]);
        Assert.That(resumed.Code, Is.EqualTo(CliApp.ExitOk), resumed.Err);
        Assert.That(resumed.Out, Does.Contain("3 kept from before"));
        Assert.That(resumed.Err, Does.Contain("run 4/4").And.Not.Contain("run 1/4"));
        Assert.That(StripSeconds(File.ReadAllLines(runsPath)), Is.EqualTo(StripSeconds(runs)));
        Assert.That(File.ReadAllLines(Path.Combine(outDir, TrainingStudy.CurvesFile)), Is.EqualTo(curves));

        // Resuming with other settings is refused.
        var other = Run([.. SmallSweep(outDir).Select(a => a == "16" ? "17" : a), "--resume"]);
        Assert.That(other.Code, Is.EqualTo(CliApp.ExitBadInput));
        Assert.That(other.Err, Does.Contain("width"));
    }

    private static Dictionary<string, string> Snapshot(string dir) => ChildCli.Snapshot(dir);

    [Test]
    public void AutogradAndTheExplicitBackwardGiveTheSameRatesAndSayWhichRan()
    {
        var rates = new Dictionary<string, double[]>();
        foreach (var backward in new[] { "explicit", "autograd" })
        {
            var outDir = Path.Combine(_dir, "backward-" + backward);
            var (code, _, stderr) = Run([.. SmallSweep(outDir), "--backward", backward]);
            Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, TrainingStudy.ManifestFile)));
            Assert.That(manifest.RootElement.GetProperty("settings").GetProperty("backward").GetString(), Is.EqualTo(backward));
            var runs = File.ReadAllLines(Path.Combine(outDir, TrainingStudy.RunsFile));
            int column = Array.IndexOf(runs[0].Split(','), "final_loss");
            rates[backward] = runs.Skip(1).Select(l => double.Parse(l.Split(',')[column], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        // The τ = 1 runs at L = 6 fall far; the same dynamics agree to rounding, far inside 10⁻⁹.
        Assert.That(rates["explicit"], Is.EqualTo(rates["autograd"]).Within(1e-9).Percent);
    }

    [Test]
    public void ADirectoryOfForeignFilesOrHeldByAnotherProcessIsRefusedAndLeftAsItIs()
    {
        var outDir = Path.Combine(_dir, "foreign");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        var before = Snapshot(outDir);
        var (code, stdout, stderr) = Run(SmallSweep(outDir));
        Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
        Assert.That(stderr, Does.Match(@"^[^\r\n]*not empty[^\r\n]*\r?\n$"));
        Assert.That(stdout, Is.Empty);
        Assert.That(Snapshot(outDir), Is.EqualTo(before));

        var held = Path.Combine(_dir, "held");
        using var hold = StabilityLab.Output.OutputLock.Take(held);
        before = Snapshot(held);
        (code, stdout, stderr) = Run([.. SmallSweep(held), "--resume"]);
        Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
        Assert.That(stderr, Does.Match(@"^[^\r\n]*\r?\n$"));
        Assert.That(stderr, Does.Contain($"{held} is in use by another stabilitylab process (pid {Environment.ProcessId})"));
        Assert.That(Snapshot(held), Is.EqualTo(before));
    }

    private static string[] StripSeconds(string[] lines) =>
        lines.Select(l => string.Join(",", l.Split(',')[..^1])).ToArray();

    [Test]
    public void FashionMnistFromATestFolderReportsAccuracy()
    {
        // 30 training and 10 test images of 28×28 written here; labels i mod 10.
        var dir = Path.Combine(_dir, "fm");
        Directory.CreateDirectory(dir);
        void Write(string name, byte type, int[] shape, byte[] payload)
        {
            var bytes = new List<byte> { 0, 0, type, (byte)shape.Length };
            foreach (var s in shape) bytes.AddRange(new[] { (byte)(s >> 24), (byte)(s >> 16), (byte)(s >> 8), (byte)s });
            bytes.AddRange(payload);
            File.WriteAllBytes(Path.Combine(dir, name), bytes.ToArray());
        }
        var rng = new System.Random(3);
        byte[] Img(int n) { var b = new byte[n * 784]; rng.NextBytes(b); return b; }
        Write(FashionMnist.TrainImages, 8, [30, 28, 28], Img(30));
        Write(FashionMnist.TrainLabels, 8, [30], Enumerable.Range(0, 30).Select(i => (byte)(i % 10)).ToArray());
        Write(FashionMnist.TestImages, 8, [10, 28, 28], Img(10));
        Write(FashionMnist.TestLabels, 8, [10], Enumerable.Range(0, 10).Select(i => (byte)i).ToArray());

        var outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = Run("train", "--dataset", "fashion-mnist", "--data", dir, "--train-size", "30", "--test-size", "10",
            "--depth", "4", "--tau", "1/sqrt(L)", "--width", "32", "--optimizer", "gd", "--reduction", "mean", "--trainable", "all",
            "--lr", "0.5", "--steps", "150", "--eval-every", "50", "--threads", "1", "--out", outDir);
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
        var runs = File.ReadAllLines(Path.Combine(outDir, TrainingStudy.RunsFile));
        var header = runs[0].Split(',');
        var row = runs[1].Split(',');
        double trainAcc = double.Parse(row[Array.IndexOf(header, "train_acc")], System.Globalization.CultureInfo.InvariantCulture);
        double testAcc = double.Parse(row[Array.IndexOf(header, "test_acc")], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(trainAcc, Is.EqualTo(1.0), "30 random images are memorized");
            Assert.That(testAcc, Is.InRange(0.0, 1.0));
            Assert.That(stdout, Does.Contain("test acc"));
            Assert.That(File.ReadAllLines(Path.Combine(outDir, TrainingStudy.CurvesFile)).Skip(1).Select(l => l.Split(',')[Array.IndexOf(TrainingStudy.CurveColumns, "step")]),
                Is.EqualTo(new[] { "0", "50", "100", "150" }));
        });
    }

    [Test]
    public void BenchmarkReturnsFiniteFiguresAtTinySize()
    {
        var b = TrainingBenchmark.Run(new TrainingBenchmarkSpec(Width: 32, Depth: 2, Batch: 16, Threads: 1, Repeats: 1, InputDim: 8, OutputDim: 2));
        Assert.Multiple(() =>
        {
            Assert.That(b.StepGflops, Is.GreaterThan(0).And.LessThan(1e5));
            Assert.That(b.MatmulGflops, Is.GreaterThan(0).And.LessThan(1e5));
            Assert.That(b.Ratio, Is.GreaterThan(0));
            Assert.That(b.ExplicitStepSeconds, Is.GreaterThan(0).And.LessThan(10));
            Assert.That(b.StepGflop * 1e9, Is.EqualTo(TrainingBenchmark.StepFlops(32, 2, 16, 8, 2, TrainedParameters.Hidden)));
            Assert.That(b.Summary(), Does.Contain("GFLOP/s"));
        });
        // Hand count for m = 32, L = 2, b = 16, p = 8, d = 2, W only: forward 2b(mp + Lm² + dm),
        // backward 2bdm + L·2bm² + (L−1)·2bm².
        double expected = 2 * 16 * (32 * 8 + 2 * 32 * 32 + 2 * 32) + 2 * 16 * 2 * 32 + 2 * (2 * 16 * 32 * 32) + 1 * (2 * 16 * 32 * 32);
        Assert.That(TrainingBenchmark.StepFlops(32, 2, 16, 8, 2, TrainedParameters.Hidden), Is.EqualTo(expected));
    }

    [TestCase("TERM", 143)]
    [TestCase("INT", 130)]
    public void ASignalStopsTrainingCleanlyAndResumeGivesTheSameFiles(string signal, int exitCode)
    {
        string[] args = ["train", "--width", "64", "--depth", "4", "--depth", "16", "--seed", "1", "--seed", "2", "--seed", "3", "--steps", "400"];
        var stopped = Path.Combine(_dir, "stopped");
        using var p = StartAndWaitForAFinishedRun(args, stopped);
        var runs = Path.Combine(stopped, TrainingStudy.RunsFile);
        ChildCli.Signal(p, signal);
        p.WaitForExit();
        string err = p.StandardError.ReadToEnd();
        Assert.That(p.ExitCode, Is.EqualTo(exitCode), err);
        Assert.That(err, Does.Contain("--resume"));
        Assert.That(StabilityLab.Output.RunManifest.StatusOf(StabilityLab.Output.RunManifest.Read(stopped)), Is.EqualTo(StabilityLab.Output.RunStatus.Interrupted));
        Assert.That(Directory.GetFiles(stopped, "*.tmp", SearchOption.AllDirectories), Is.Empty, "a graceful stop leaves no temporary file");
        int kept = File.ReadAllLines(runs).Length - 1;
        Assert.That(kept, Is.InRange(1, 5), "stopped between the first and the last run");

        ResumeEqualsAStraightRun(args, stopped, "whole");
    }

    [Test]
    public void AKilledStudyResumesToTheSameFiles()
    {
        // SIGKILL leaves no chance to clean up: whatever runs.csv holds (written atomically after every run) is kept,
        // the run in progress is lost, and --resume trains the rest to the same bytes as a straight run.
        string[] args = ["train", "--width", "64", "--depth", "4", "--depth", "16", "--seed", "1", "--seed", "2", "--seed", "3", "--steps", "400"];
        var killed = Path.Combine(_dir, "killed");
        using var p = StartAndWaitForAFinishedRun(args, killed);
        var runs = Path.Combine(killed, TrainingStudy.RunsFile);
        p.Kill();
        p.WaitForExit();
        Assert.That(File.ReadAllLines(runs).Length - 1, Is.InRange(1, 5), "killed between the first and the last run");

        ResumeEqualsAStraightRun(args, killed, "whole-after-kill");
    }

    /// <summary>`--resume` in the stopped directory, then a straight run into another: the data files are the same bytes.</summary>
    private void ResumeEqualsAStraightRun(string[] args, string stopped, string wholeName)
    {
        var resumed = Run([.. args, "--out", stopped, "--resume"]);
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.Err);
        var whole = Path.Combine(_dir, wholeName);
        var straight = Run([.. args, "--out", whole]);
        Assert.That(straight.Code, Is.EqualTo(0), straight.Err);
        foreach (var f in new[] { TrainingStudy.RunsFile, TrainingStudy.CurvesFile, TrainingStudy.FitsFile })
            Assert.That(File.ReadAllText(Path.Combine(stopped, f)), Is.EqualTo(File.ReadAllText(Path.Combine(whole, f))), $"{f}: stopped and resumed = run straight through");
    }

    /// <summary>Starts `stabilitylab ARGS --out DIR` as a child process and returns once runs.csv holds a finished run (at most 120 s).</summary>
    private static System.Diagnostics.Process StartAndWaitForAFinishedRun(string[] args, string dir)
    {
        var runs = Path.Combine(dir, TrainingStudy.RunsFile);
        return ChildCli.StartAndWaitFor([.. args, "--out", dir], () => File.Exists(runs) && File.ReadAllLines(runs).Length >= 2);
    }
}
