using StabilityLab.Claims;
using StabilityLab.Models;
using StabilityLab.Torch.Claims;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Training;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Training;

/// <summary>
/// Training studies in worker processes (<see cref="TrainingWorkers"/>): the spec a worker reads is the study the check
/// planned (same key), and `check` with two threads, whose two training studies each go to a worker process, writes the
/// same study files and verdicts, bit for bit, as `check --threads 1`, which trains them in its own process.
/// </summary>
[NonParallelizable]
public class TrainingWorkersTests
{
    private static IEnumerable<TrainingStudySpec> Specs()
    {
        var net = new NetworkSpec(32, 4, TauRule.Parse("1/sqrt(L)"), inputDim: 8, outputDim: 2);
        var gd = new TrainingOptions { StepSize = 1.2345678901234567e-3, Steps = 77, StopLossRatio = 1e-7, DivergenceFactor = 123.5 };
        yield return new TrainingStudySpec(net, [4, 8], [TauRule.Parse("1/sqrt(L)"), TauRule.Parse("1/L")], [3, 4], [gd.StepSize], new SyntheticData(16, 8, 2), gd);
        yield return new TrainingStudySpec(net with { Tau = TauRule.Parse("1") }, [4, 8, 16], [TauRule.Parse("1")], [1, 2], [0.1], new SyntheticData(16, 8, 2, TargetKind.Teacher, 4), gd)
        {
            DepthStepSizes = [3.6375e-05, 5.68359375e-07, 1.2035477912646554e-28],
        };
        var sgd = new TrainingOptions
        {
            Optimizer = OptimizerKind.Sgd, StepSize = 0.05, Momentum = 0.85, BatchSize = 64, Steps = 100, Precision = ScalarType.Float32,
            Trained = TrainedParameters.All, Reduction = LossReduction.Mean, EvalEvery = 100, StopLossRatio = 0, EvalChunk = 1000,
        };
        yield return new TrainingStudySpec(new NetworkSpec(64, 8, TauRule.Parse("1/sqrt(L)"), BlockKind.PostBn, inputDim: 784, outputDim: 10), [8, 16],
            [TauRule.Parse("1/sqrt(L)"), TauRule.Parse("1")], [1, 2, 3], [0.05], new FashionMnist("/nowhere", 2000, 500), sgd);
    }

    [Test]
    public void TheSpecReadsBackAsTheSameStudy()
    {
        foreach (var spec in Specs())
        {
            var back = TrainingStudySpecJson.Read(TrainingStudySpecJson.Write(spec));
            Assert.That(TrainingClaims.Key(back), Is.EqualTo(TrainingClaims.Key(spec)));
            Assert.That(back.Settings(), Is.EqualTo(spec.Settings()));
            Assert.That(back.Grid(), Is.EqualTo(spec.Grid()));
            Assert.That(back.Options, Is.EqualTo(spec.Options));
            Assert.That(back.Network, Is.EqualTo(spec.Network));
            Assert.That(back.Data, Is.EqualTo(spec.Data));
        }
    }

    [Test]
    public void ABadSpecIsOneLine()
    {
        var e = Assert.Throws<SpecException>(() => TrainingStudySpecJson.Read("{\"network\": 3}"));
        Assert.That(e!.Message, Does.StartWith("not a training study spec"));
    }

    private const string File = """
        { "schema": 1, "title": "workers", "seed": 1, "claims": [
         { "id": "conv", "statement": "conv", "kind": "converges", "network": { "width": 32 }, "tau": "1/sqrt(L)", "depths": [4, 8, 16],
           "samples": 8, "input_dim": 16, "steps": 60, "seeds": 2, "lr": 1e-3, "loss_fraction": 0.5, "controls": [ { "tau": "1/L" } ] },
         { "id": "div", "statement": "div", "kind": "diverges", "network": { "width": 32 }, "tau": "1", "depths": [4, 8, 16],
           "samples": 8, "input_dim": 16, "steps": 60, "seeds": 2, "lr": 1e-2, "controls": [ { "tau": "1/sqrt(L)" } ] }
        ]}
        """;

    [TestCase("/nonexistent/stabilitylab")]
    [TestCase("/bin/false")]
    public void AStudyWhoseWorkerFailsIsTrainedByTheCheckItself(string command)
    {
        if (command.StartsWith("/bin/", StringComparison.Ordinal) && !System.IO.File.Exists(command)) Assert.Ignore($"no {command} here");
        var dir = Directory.CreateTempSubdirectory("check-workers-fail-").FullName;
        try
        {
            var claims = ClaimsFile.Parse(File, "w.json");
            string serial = Path.Combine(dir, "serial"), failing = Path.Combine(dir, "failing");
            ClaimCheck.Run(claims, serial, threads: 1, runners: ClaimRunners.All);
            var lines = new List<string>();
            var result = ClaimCheck.Run(claims, failing, threads: 2, log: l => { lock (lines) lines.Add(l); },
                runners: [new TrainingClaims(new TrainingWorkers([command])), new SpectralClaims()]);
            Assert.That(lines.Count(l => l.Contains("worker", StringComparison.Ordinal) && l.Contains("trains", StringComparison.Ordinal)), Is.EqualTo(2), string.Join("\n", lines));
            foreach (var s in Directory.GetDirectories(Path.Combine(serial, ClaimStudies.Folder)).Select(Path.GetFileName))
                foreach (var f in new[] { TrainingStudy.RunsFile, TrainingStudy.CurvesFile })
                    Assert.That(System.IO.File.ReadAllBytes(Path.Combine(failing, ClaimStudies.Folder, s!, f)),
                        Is.EqualTo(System.IO.File.ReadAllBytes(Path.Combine(serial, ClaimStudies.Folder, s!, f))), $"{s}/{f}");
            Assert.That(System.IO.File.ReadAllText(Path.Combine(failing, VerdictFiles.Json)), Is.EqualTo(System.IO.File.ReadAllText(Path.Combine(serial, VerdictFiles.Json))));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void WorkerProcessesWriteTheSameStudiesAsTheCheckItself()
    {
        var dir = Directory.CreateTempSubdirectory("check-workers-").FullName;
        try
        {
            var path = Path.Combine(dir, "w.json");
            System.IO.File.WriteAllText(path, File);
            string serial = Path.Combine(dir, "serial"), parallel = Path.Combine(dir, "parallel");
            var (code1, _, err1) = CliHarness.Run("check", path, "--out", serial, "--threads", "1");
            var (code2, _, err2) = CliHarness.Run("check", path, "--out", parallel, "--threads", "2");
            Assert.That(code1, Is.Not.EqualTo(2), err1);
            Assert.That(code2, Is.EqualTo(code1), err2);
            Assert.That(err1, Does.Not.Contain("worker processes"));
            Assert.That(err2, Does.Contain("2 training studies in 2 worker processes"));
            var studies = Directory.GetDirectories(Path.Combine(serial, ClaimStudies.Folder)).Select(Path.GetFileName).Order().ToList();
            Assert.That(studies, Has.Count.EqualTo(2), "the lr = 1e-3 and the lr = 1e-2 study");
            Assert.That(Directory.GetDirectories(Path.Combine(parallel, ClaimStudies.Folder)).Select(Path.GetFileName).Order(), Is.EqualTo(studies));
            foreach (var s in studies)
                foreach (var f in new[] { TrainingStudy.RunsFile, TrainingStudy.CurvesFile, TrainingStudy.FitsFile })
                    Assert.That(System.IO.File.ReadAllBytes(Path.Combine(parallel, ClaimStudies.Folder, s!, f)),
                        Is.EqualTo(System.IO.File.ReadAllBytes(Path.Combine(serial, ClaimStudies.Folder, s!, f))), $"{s}/{f}");
            Assert.That(System.IO.File.ReadAllText(Path.Combine(parallel, VerdictFiles.Json)), Is.EqualTo(System.IO.File.ReadAllText(Path.Combine(serial, VerdictFiles.Json))));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
